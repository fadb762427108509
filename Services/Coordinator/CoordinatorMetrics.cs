using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QueueLab.Coordinator;

/// <summary>The coordinator's meter: rebalances, their durations, leader changes, and the assignment in force per consumer.</summary>
public sealed class CoordinatorMetrics
{
    public const string Name = "QueueLab.Coordinator";
    public const string ConsumerTag = "queuelab.consumer";
    public const string QueuesTag = "queuelab.queues";
    public const string InstanceTag = "queuelab.coordinator";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _rebalances;
    private readonly Histogram<double> _written;
    private readonly Histogram<double> _applied;
    private readonly Counter<long> _leaderChanges;
    private readonly Counter<long> _deposed;
    private long _rebalancesTotal;
    private long _leaderChangesTotal;

    public CoordinatorMetrics(IMeterFactory meterFactory, CoordinatorStatus status)
    {
        var meter = meterFactory.Create(Name);
        _rebalances = meter.CreateCounter<long>("queuelab.coordinator.rebalances", "{rebalance}", "Assignment changes written by the leader.");
        _written = meter.CreateHistogram<double>("queuelab.coordinator.rebalance.duration", "ms", "From the change that triggered a rebalance to the new assignment written in etcd.");
        _applied = meter.CreateHistogram<double>("queuelab.coordinator.rebalance.applied_duration", "ms", "From the change that triggered a rebalance to every affected consumer reporting it applied.");
        _leaderChanges = meter.CreateCounter<long>("queuelab.coordinator.leader_changes", "{change}", "Times this replica became leader.");
        _deposed = meter.CreateCounter<long>("queuelab.coordinator.deposed", "{event}", "Leader writes refused because this replica was no longer leader.");
        meter.CreateObservableGauge("queuelab.coordinator.is_leader", () => status.Role == CoordinatorRole.Leader ? 1 : 0, "{leader}", "1 while this replica is leader.");
        meter.CreateObservableGauge("queuelab.coordinator.assigned_queues", () => status.Role != CoordinatorRole.Leader
            ? []
            : status.Assignments.Select(a => new Measurement<int>(a.Value.Count,
                new KeyValuePair<string, object?>(ConsumerTag, a.Key), new KeyValuePair<string, object?>(QueuesTag, string.Join(",", a.Value)))),
            "{queue}", "Queues assigned to each consumer (reported by the leader).");
    }

    public long RebalancesTotal => Interlocked.Read(ref _rebalancesTotal);

    public long LeaderChangesTotal => Interlocked.Read(ref _leaderChangesTotal);

    public void Rebalanced(TimeSpan triggerToWritten)
    {
        Interlocked.Increment(ref _rebalancesTotal);
        _rebalances.Add(1);
        _written.Record(triggerToWritten.TotalMilliseconds);
    }

    public void Applied(TimeSpan triggerToApplied) => _applied.Record(triggerToApplied.TotalMilliseconds);

    public void BecameLeader(string instance)
    {
        Interlocked.Increment(ref _leaderChangesTotal);
        _leaderChanges.Add(1, new KeyValuePair<string, object?>(InstanceTag, instance));
    }

    public void Deposed() => _deposed.Add(1);
}
