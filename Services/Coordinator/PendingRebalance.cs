namespace QueueLab.Coordinator;

/// <summary>
/// A rebalance not yet applied everywhere: the generation each affected consumer must report, and when the first
/// trigger since the assignment was last in force everywhere happened (a <see cref="TimeProvider"/> timestamp).
/// </summary>
public sealed record PendingRebalance(IReadOnlyDictionary<string, long> Required, long TriggeredAt);
