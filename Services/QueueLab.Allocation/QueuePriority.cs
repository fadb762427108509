namespace QueueLab.Allocation;

/// <summary>A queue taking part in the allocation, with its priority weight (1 or more).</summary>
/// <param name="Name">The queue name; unique (ordinal comparison) and not blank.</param>
/// <param name="Priority">The relative weight of the queue; at least 1.</param>
public sealed record QueuePriority(string Name, int Priority);
