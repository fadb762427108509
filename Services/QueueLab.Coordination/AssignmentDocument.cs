namespace QueueLab.Coordination;

/// <summary>
/// A consumer's assignment, <c>{root}assignments/{consumer}</c>: its queues (sorted), the generation of the
/// rebalance that wrote it, when (Unix ms) and by which leader.
/// </summary>
public sealed record AssignmentDocument(IReadOnlyList<string> Queues, long Generation, long UpdatedAt, string Leader);
