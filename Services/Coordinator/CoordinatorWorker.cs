using Microsoft.Extensions.Options;
using QueueLab.Coordination;
using QueueLab.Rabbit;

namespace QueueLab.Coordinator;

/// <summary>
/// Seeds the queue configuration (only what is absent), then campaigns; as leader it watches consumers, queue
/// configuration and applied generations, re-reads the whole state on every trigger, and writes the consumers'
/// assignments (sticky, via <see cref="RebalancePlanner"/>) in one transaction fenced by its leadership. When its
/// leadership is lost it goes back to campaigning; on shutdown it resigns so the standby takes over at once.
/// </summary>
public sealed partial class CoordinatorWorker(
    QueueConfigurationStore store, LeaderElector elector, EtcdChangeWatcher changes, CoordinationStateReader reader,
    CoordinationKeys keys, CoordinatorStatus status, CoordinatorMetrics metrics, IOptions<CoordinatorOptions> options,
    IConfiguration configuration, EtcdCalls calls, ILogger<CoordinatorWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var id = options.Value.InstanceId;
        try
        {
            await SeedAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                status.Standby();
                LogStandby(logger, id);
                await using var leadership = await elector.CampaignAsync(id, stoppingToken);
                status.Leading(leadership.Revision);
                metrics.BecameLeader(id);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
                try
                {
                    await LeadAsync(leadership, leading.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    LogLeadershipLost(logger, id, leadership.Revision);
                }
                finally
                {
                    status.Standby();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; a held leadership was resigned by its disposal.
        }
    }

    private async Task SeedAsync(CancellationToken stoppingToken)
    {
        var seed = SeedQueues.Read(configuration);
        var errors = QueueDefinitionValidator.ValidateAll(seed.ToList());
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{SeedQueues.Section} is invalid: {string.Join(" ", errors)}");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var written = await store.SeedIfAbsentAsync(seed.ToList(), stoppingToken);
                LogSeeded(logger, written.Count, seed.Count);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSeedFailed(logger, attempt, ex);
                await Task.Delay(calls.RetryDelay(attempt), calls.Time, stoppingToken);
            }
        }
    }

    private async Task LeadAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        PendingRebalance? pending = null;
        WatchTarget[] targets = [WatchTarget.Prefix(keys.ConsumersPrefix), WatchTarget.Prefix(keys.QueuesPrefix), WatchTarget.Prefix(keys.AppliedPrefix)];
        await foreach (var trigger in changes.WatchAsync(targets, cancellationToken))
        {
            var triggeredAt = calls.Time.GetTimestamp();
            CoordinationSnapshot snapshot;
            try
            {
                snapshot = await reader.ReadAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogReadFailed(logger, trigger, ex);
                continue;
            }

            pending = CheckApplied(pending, snapshot);
            var plan = RebalancePlanner.Plan(snapshot, keys, leadership.CandidateId, calls.NowMs());
            if (plan.IsEmpty)
            {
                status.Assigned(snapshot.Generation, plan.Allocation.Assignments);
                continue;
            }

            long? revision;
            try
            {
                revision = await leadership.TryCommitAsync(plan.Operations(), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogWriteFailed(logger, plan.Generation, ex);
                continue;
            }

            if (revision is null)
            {
                metrics.Deposed();
                return;
            }

            metrics.Rebalanced(calls.Time.GetElapsedTime(triggeredAt));
            status.Assigned(plan.Generation, plan.Allocation.Assignments);
            LogRebalanced(logger, plan.Generation, trigger, snapshot.Consumers.Count,
                string.Join(", ", plan.Allocation.ConsumerCounts.Select(c => $"{c.Key}={c.Value}")), plan.Writes.Count, plan.RemovedConsumers.Count);

            var required = new Dictionary<string, long>(pending?.Required ?? new Dictionary<string, long>(), StringComparer.Ordinal);
            foreach (var consumer in plan.ChangedConsumers)
            {
                required[consumer] = plan.Generation;
            }

            pending = required.Count == 0 ? null : new PendingRebalance(required, pending?.TriggeredAt ?? triggeredAt);
        }
    }

    /// <summary>Records the rebalance duration once every affected consumer that is still alive applied its generation.</summary>
    private PendingRebalance? CheckApplied(PendingRebalance? pending, CoordinationSnapshot snapshot)
    {
        if (pending is null)
        {
            return null;
        }

        var done = pending.Required.All(r =>
            !snapshot.Consumers.Contains(r.Key, StringComparer.Ordinal)
            || (snapshot.Applied.TryGetValue(r.Key, out var applied) && applied.Generation >= r.Value));
        if (!done)
        {
            return pending;
        }

        var elapsed = calls.Time.GetElapsedTime(pending.TriggeredAt);
        metrics.Applied(elapsed);
        LogApplied(logger, pending.Required.Values.Max(), elapsed.TotalMilliseconds);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue configuration seeded: {Written} of {Total} queues were absent and written")]
    private static partial void LogSeeded(ILogger logger, int written, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeding the queue configuration failed (attempt {Attempt}); retrying")]
    private static partial void LogSeedFailed(ILogger logger, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{InstanceId} is standing by for leadership")]
    private static partial void LogStandby(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{InstanceId} lost leadership (term {Term})")]
    private static partial void LogLeadershipLost(ILogger logger, string instanceId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the coordination state failed after {Trigger}; retrying on the next trigger")]
    private static partial void LogReadFailed(ILogger logger, ChangeTrigger trigger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing generation {Generation} failed; retrying on the next trigger")]
    private static partial void LogWriteFailed(ILogger logger, long generation, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebalanced (generation {Generation}, after {Trigger}): {Consumers} consumers, {Counts}; {Written} assignments written, {Removed} consumers removed")]
    private static partial void LogRebalanced(ILogger logger, long generation, ChangeTrigger trigger, int consumers, string counts, int written, int removed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation {Generation} applied by every affected consumer, {ElapsedMs:0} ms after its trigger")]
    private static partial void LogApplied(ILogger logger, long generation, double elapsedMs);
}
