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
/// <para>
/// The client dispatches one delivery at a time to <see cref="OnReceivedAsync"/>, which registers it in the channel
/// session's <see cref="AckWindow"/>, copies its body (the client reuses the buffer once the callback returns) and
/// starts its handling, up to <see cref="ConsumerOptions.Concurrency"/> at once. Registering in tag order is what lets
/// the window ack several finished deliveries with one multiple ack without passing one still in handling.
/// </para>
/// </summary>
public sealed partial class QueueConsumer(
    QueueDefinition queue, IConnection connection, DeliveryProcessor processor, IOptions<ConsumerOptions> options,
    ConsumerTelemetry telemetry, TimeProvider time, ILogger<QueueConsumer> logger) : IAsyncDisposable
{
    private readonly ConsumerOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopping = new();

    // Cancelled when the channel shuts down; deliveries after a recovery get a new one, and a new ack window.
    private CancellationTokenSource _session = new();
    private AckWindow? _acks;
    private SemaphoreSlim? _slots;
    private long _acked;
    private long _ackFrames;
    private IChannel? _channel;
    private string? _consumerTag;
    private int _inFlight;

    public QueueDefinition Queue { get; } = queue;

    public bool IsConsuming => _channel is { IsOpen: true } && _consumerTag is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: 1),
            cancellationToken);
        _slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        _acks = NewAckWindow(_channel);
        _channel.ChannelShutdownAsync += OnChannelShutdownAsync;
        await _channel.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        _consumerTag = await _channel.BasicConsumeAsync(Queue.Name, autoAck: false, consumer, cancellationToken);
        LogStarted(logger, Queue.Name, _options.Prefetch, _options.Concurrency);
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        try
        {
            await _slots!.WaitAsync(_abort.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: unacked, so the broker redelivers it.
            return;
        }

        var window = Volatile.Read(ref _acks)!;
        window.Received(delivery.DeliveryTag);
        Interlocked.Increment(ref _inFlight);
        var copy = new BasicDeliverEventArgs(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey,
            delivery.BasicProperties, delivery.Body.ToArray());
        _ = HandleAsync(copy, new DeliveryAcks(_channel!, window, delivery.DeliveryTag));
    }

    private async Task HandleAsync(BasicDeliverEventArgs delivery, DeliveryAcks acks)
    {
        await Task.Yield();
        try
        {
            using var letGo = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, Volatile.Read(ref _session).Token);
            await processor.HandleAsync(Queue.Name, acks, delivery, letGo.Token, _abort.Token);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Aborted on shutdown: unacked (and still in handling in its window, so no multiple ack passes it), so the
            // broker redelivers it when the channel closes.
        }
        catch (Exception ex)
        {
            // Not expected (the processor ends every delivery itself); left unacked in handling, the broker redelivers it
            // when the channel closes.
            LogHandlerFailed(logger, Queue.Name, delivery.DeliveryTag, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots!.Release();
        }
    }

    private AckWindow NewAckWindow(IChannel channel) => new((tag, multiple) => channel.BasicAckAsync(tag, multiple), covered =>
    {
        telemetry.AckWritten(Queue.Name, covered);
        Interlocked.Add(ref _acked, covered);
        Interlocked.Increment(ref _ackFrames);
    });

    private async Task OnChannelShutdownAsync(object sender, RabbitMQ.Client.Events.ShutdownEventArgs args)
    {
        // The broker has every unacked delivery of the session back: the next session's deliveries start a new window.
        Volatile.Write(ref _acks, NewAckWindow(_channel!));
        await Interlocked.Exchange(ref _session, new CancellationTokenSource()).CancelAsync();
    }

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

        LogStopped(logger, Queue.Name, unfinished, Interlocked.Read(ref _acked), Interlocked.Read(ref _ackFrames));
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        _abort.Dispose();
        _stopping.Dispose();
        _slots?.Dispose();
        _session.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} (prefetch {Prefetch}, concurrency {Concurrency})")]
    private static partial void LogStarted(ILogger logger, string queue, int prefetch, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped consuming {Queue} ({Unfinished} deliveries were still in flight and go back to the queue; {Acked} acked in {AckFrames} frames)")]
    private static partial void LogStopped(ILogger logger, string queue, int unfinished, long acked, long ackFrames);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling delivery {DeliveryTag} of {Queue} failed unexpectedly; it stays unacked until its channel closes")]
    private static partial void LogHandlerFailed(ILogger logger, string queue, ulong deliveryTag, Exception exception);
}
