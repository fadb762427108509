using QueueLab.Rabbit;

namespace QueueLab.Consumer;

/// <summary>
/// Keeps this consumer's subscriptions equal to what the <see cref="IQueueAssignmentSource"/> says: declares each
/// newly assigned queue's topology and starts consuming it; for a queue taken away, stops taking deliveries,
/// finishes the in-flight ones, then cancels. On shutdown it lets go of every queue the same way.
/// </summary>
public sealed partial class QueueManager(
    IQueueAssignmentSource source, QueueTopology topology, QueueConsumerFactory factory, TimeProvider time,
    ILogger<QueueManager> logger) : BackgroundService
{
    private readonly Dictionary<string, QueueConsumer> _active = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>True once the first assignment has been applied.</summary>
    public bool Ready { get; private set; }

    public IReadOnlyCollection<string> ActiveQueues
    {
        get
        {
            lock (_active)
            {
                return [.. _active.Keys];
            }
        }
    }

    public bool AllConsuming
    {
        get
        {
            lock (_active)
            {
                return _active.Values.All(c => c.IsConsuming);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var assignment in source.WatchAsync(stoppingToken))
        {
            await ApplyWithRetryAsync(assignment, stoppingToken);
            Ready = true;
        }
    }

    private async Task ApplyWithRetryAsync(IReadOnlyList<QueueDefinition> assignment, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(assignment, stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogApplyFailed(logger, attempt, ex);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, stoppingToken);
            }
        }
    }

    private async Task ApplyAsync(IReadOnlyList<QueueDefinition> assignment, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var wanted = assignment.ToDictionary(q => q.Name, StringComparer.Ordinal);
            foreach (var name in ActiveQueues.Where(n => !wanted.TryGetValue(n, out var q) || q.Binding != _active[n].Queue.Binding))
            {
                await StopConsumingAsync(name, cancellationToken);
            }

            foreach (var queue in assignment.Where(q => !ActiveQueues.Contains(q.Name)))
            {
                await topology.DeclareAsync(queue, cancellationToken);
                var consumer = factory.Create(queue);
                await consumer.StartAsync(cancellationToken);
                lock (_active)
                {
                    _active[queue.Name] = consumer;
                }
            }

            LogApplied(logger, string.Join(", ", ActiveQueues.Order()));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopConsumingAsync(string name, CancellationToken cancellationToken)
    {
        QueueConsumer? consumer;
        lock (_active)
        {
            _active.Remove(name, out consumer);
        }

        if (consumer is not null)
        {
            await consumer.StopAsync(cancellationToken);
            await consumer.DisposeAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var name in ActiveQueues)
        {
            await StopConsumingAsync(name, cancellationToken);
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming queues: {Queues}")]
    private static partial void LogApplied(ILogger logger, string queues);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying the queue assignment failed (attempt {Attempt}); retrying")]
    private static partial void LogApplyFailed(ILogger logger, int attempt, Exception exception);
}
