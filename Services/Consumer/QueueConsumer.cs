using Microsoft.Extensions.Options;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.Consumer;

/// <summary>
/// Consumes one queue on its own channel (prefetch and dispatch concurrency from the options, manual acks).
/// Stopping is graceful: cancel the subscription so no new deliveries come, let the in-flight ones finish (up to
/// <see cref="ConsumerOptions.StopTimeout"/>), then close the channel, which returns anything unacked to the queue.
/// A delivery whose handling waits to try a transient failure again is handed back at once when the queue is let go
/// or when the channel it came on shuts down (the broker has it back then).
/// </summary>
public sealed partial class QueueConsumer(
    QueueDefinition queue, IConnection connection, DeliveryProcessor processor, IOptions<ConsumerOptions> options,
    TimeProvider time, ILogger<QueueConsumer> logger) : IAsyncDisposable
{
    private readonly ConsumerOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopping = new();

    // Cancelled when the channel shuts down; deliveries after a recovery get a new one.
    private CancellationTokenSource _session = new();
    private IChannel? _channel;
    private string? _consumerTag;
    private int _inFlight;

    public QueueDefinition Queue { get; } = queue;

    public bool IsConsuming => _channel is { IsOpen: true } && _consumerTag is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: (ushort)_options.Concurrency),
            cancellationToken);
        _channel.ChannelShutdownAsync += OnChannelShutdownAsync;
        await _channel.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        _consumerTag = await _channel.BasicConsumeAsync(Queue.Name, autoAck: false, consumer, cancellationToken);
        LogStarted(logger, Queue.Name, _options.Prefetch, _options.Concurrency);
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            using var letGo = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, Volatile.Read(ref _session).Token);
            await processor.HandleAsync(Queue.Name, _channel!, delivery, letGo.Token, _abort.Token);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Aborted on shutdown: unacked, so the broker redelivers it.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private Task OnChannelShutdownAsync(object sender, RabbitMQ.Client.Events.ShutdownEventArgs args) =>
        Interlocked.Exchange(ref _session, new CancellationTokenSource()).CancelAsync();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_channel is null)
        {
            return;
        }

        if (_consumerTag is not null && _channel.IsOpen)
        {
            await _channel.BasicCancelAsync(_consumerTag, noWait: false, cancellationToken);
        }

        await _stopping.CancelAsync();

        _consumerTag = null;
        var deadline = time.GetTimestamp();
        while (Volatile.Read(ref _inFlight) > 0 && time.GetElapsedTime(deadline) < _options.StopTimeout && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var unfinished = Volatile.Read(ref _inFlight);
        await _abort.CancelAsync();
        if (_channel.IsOpen)
        {
            await _channel.CloseAsync(CancellationToken.None);
        }

        LogStopped(logger, Queue.Name, unfinished);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        _abort.Dispose();
        _stopping.Dispose();
        _session.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} (prefetch {Prefetch}, concurrency {Concurrency})")]
    private static partial void LogStarted(ILogger logger, string queue, int prefetch, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped consuming {Queue} ({Unfinished} deliveries were still in flight and go back to the queue)")]
    private static partial void LogStopped(ILogger logger, string queue, int unfinished);
}
