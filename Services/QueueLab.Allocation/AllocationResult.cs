using System.Collections.Immutable;

namespace QueueLab.Allocation;

/// <summary>The outcome of <see cref="ConsumerAllocator.Allocate"/>; every collection is sorted by ordinal name.</summary>
/// <param name="Mode">Which rule produced the allocation.</param>
/// <param name="Assignments">Every live consumer and the queues it serves (an empty set when there are no queues).</param>
/// <param name="ConsumerCounts">Every queue and the number of consumers serving it.</param>
/// <param name="Shares">The per-queue shares behind the counts in <see cref="AllocationMode.Proportional"/> mode; empty otherwise.</param>
public sealed record AllocationResult(
    AllocationMode Mode,
    ImmutableSortedDictionary<string, ImmutableSortedSet<string>> Assignments,
    ImmutableSortedDictionary<string, int> ConsumerCounts,
    ImmutableArray<QueueShare> Shares)
{
    /// <summary>The queues of one consumer, or an empty set for a consumer that is not part of the allocation.</summary>
    public ImmutableSortedSet<string> QueuesOf(string consumerId) =>
        Assignments.TryGetValue(consumerId, out var queues) ? queues : ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>The consumers serving one queue, sorted by ordinal id.</summary>
    public ImmutableArray<string> ConsumersOf(string queue) =>
        [.. Assignments.Where(a => a.Value.Contains(queue)).Select(a => a.Key)];
}
