using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>How much an allocation changed for the consumers present before and after.</summary>
internal static class Movement
{
    /// <summary>Consumers present in both whose set of queues changed.</summary>
    public static int ConsumersMoved(AllocationResult before, AllocationResult after) =>
        after.Assignments.Count(a => before.Assignments.TryGetValue(a.Key, out var old) && !old.SetEquals(a.Value));

    /// <summary>(consumer, queue) pairs of surviving consumers that existed before and are gone after.</summary>
    public static int PairsDropped(AllocationResult before, AllocationResult after) =>
        after.Assignments.Sum(a => before.Assignments.TryGetValue(a.Key, out var old) ? old.Except(a.Value).Count() : 0);

    /// <summary>
    /// The fewest surviving consumers that must change queue in proportional mode: a queue can keep at most its new
    /// count of the old holders that are still alive, so the excess must move.
    /// </summary>
    public static int ForcedMoves(AllocationResult before, AllocationResult after) =>
        after.ConsumerCounts.Sum(c =>
            Math.Max(0, before.ConsumersOf(c.Key).Count(after.Assignments.ContainsKey) - c.Value));

    /// <summary>Σ |new count − old count| over the queues.</summary>
    public static int CountDelta(AllocationResult before, AllocationResult after) =>
        after.ConsumerCounts.Sum(c => Math.Abs(c.Value - before.ConsumerCounts.GetValueOrDefault(c.Key)));

    /// <summary>Total priority per consumer.</summary>
    public static Dictionary<string, long> Loads(AllocationResult result, IEnumerable<QueuePriority> queues)
    {
        var priority = queues.ToDictionary(q => q.Name, q => (long)q.Priority);
        return result.Assignments.ToDictionary(a => a.Key, a => a.Value.Sum(q => priority[q]));
    }
}
