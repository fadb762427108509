using System.Threading.Channels;

namespace QueueLab.Publisher;

/// <summary>
/// The built-in load generator: runs one <see cref="GeneratorRequest"/> at a time, publishing through the
/// <see cref="ConfirmedPublisher"/> in slices paced to the requested rate.
/// </summary>
public sealed partial class MessageGenerator(ConfirmedPublisher publisher, TimeProvider time, ILogger<MessageGenerator> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly Channel<GeneratorRequest> _runs = Channel.CreateBounded<GeneratorRequest>(1);
    private CancellationTokenSource? _current;
    private int _requested, _sent, _confirmed, _notConfirmed;
    private long _startedAt, _endedAt;
    private int _busy;

    private bool Running => Volatile.Read(ref _busy) == 1;

    /// <summary>Queues a run unless one is queued or running (one run at a time).</summary>
    public bool TryStart(GeneratorRequest request)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        (_requested, _sent, _confirmed, _notConfirmed) = (request.Count, 0, 0, 0);
        _startedAt = time.GetTimestamp();
        _endedAt = 0;
        if (!_runs.Writer.TryWrite(request))
        {
            Volatile.Write(ref _busy, 0);
            return false;
        }

        return true;
    }

    public void Stop() => _current?.Cancel();

    public GeneratorStatus Status()
    {
        var running = Running;
        var elapsed = _startedAt == 0 ? TimeSpan.Zero : time.GetElapsedTime(_startedAt, running || _endedAt == 0 ? time.GetTimestamp() : _endedAt);
        var confirmed = Volatile.Read(ref _confirmed);
        return new(running, _requested, Volatile.Read(ref _sent), confirmed, Volatile.Read(ref _notConfirmed), elapsed.TotalMilliseconds,
            elapsed > TimeSpan.Zero ? confirmed / elapsed.TotalSeconds : 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _runs.Reader.ReadAllAsync(stoppingToken))
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _current = run;
            _startedAt = time.GetTimestamp();
            LogStarted(logger, request.Count, request.Rate);
            try
            {
                await RunAsync(request, run.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                LogStopped(logger, _sent);
            }
            finally
            {
                _endedAt = time.GetTimestamp();
                _current = null;
                Volatile.Write(ref _busy, 0);
            }

            LogFinished(logger, _confirmed, _notConfirmed, time.GetElapsedTime(_startedAt, _endedAt).TotalSeconds);
        }
    }

    private async Task RunAsync(GeneratorRequest request, CancellationToken cancellationToken)
    {
        var prefix = request.IdPrefix ?? $"gen-{time.GetUtcNow():HHmmss}";
        while (_sent < request.Count)
        {
            var due = request.Rate <= 0
                ? request.Count
                : (int)Math.Min(request.Count, Math.Ceiling(time.GetElapsedTime(_startedAt).TotalSeconds * request.Rate) + 1);
            var slice = Enumerable.Range(_sent, Math.Max(0, due - _sent))
                .Select(i =>
                {
                    var (exchange, key) = RoutingMix.Pick(i, request.DirectWeight, request.TopicWeight, request.FanoutWeight);
                    return new PublishRequest(exchange, key, $"{prefix}-{i:D7}", Payload: $"generated {i}");
                })
                .ToList();
            if (slice.Count > 0)
            {
                Interlocked.Add(ref _sent, slice.Count);
                var outcome = await publisher.PublishBatchAsync(slice, cancellationToken);
                Interlocked.Add(ref _confirmed, outcome.Confirmed);
                Interlocked.Add(ref _notConfirmed, outcome.Requested - outcome.Confirmed);
            }

            if (_sent < request.Count)
            {
                await Task.Delay(Tick, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generator started: {Count} messages at {Rate}/s (0 = unpaced)")]
    private static partial void LogStarted(ILogger logger, int count, double rate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generator stopped after {Sent} messages")]
    private static partial void LogStopped(ILogger logger, int sent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generator finished: {Confirmed} confirmed, {NotConfirmed} not, in {Seconds:0.00} s")]
    private static partial void LogFinished(ILogger logger, int confirmed, int notConfirmed, double seconds);
}
