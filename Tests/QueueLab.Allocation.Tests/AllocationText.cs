using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>Canonical text of an allocation, for exact equality checks and readable failure messages.</summary>
internal static class AllocationText
{
    public static string Of(AllocationResult result) =>
        $"{result.Mode}: " + string.Join("; ", result.Assignments.Select(a => $"{a.Key}={{{string.Join(",", a.Value)}}}"))
        + " | counts " + string.Join(",", result.ConsumerCounts.Select(c => $"{c.Key}:{c.Value}"));

    public static string Of(IEnumerable<QueuePriority> queues, IEnumerable<string> consumers) =>
        $"queues [{string.Join(",", queues.Select(q => $"{q.Name}:{q.Priority}"))}] consumers [{string.Join(",", consumers)}]";

    /// <summary>A current assignment as given to the allocator, in its own order.</summary>
    public static string Of(IReadOnlyDictionary<string, string[]> current) =>
        "current " + (current.Count == 0 ? "none" : string.Join("; ", current.Select(a => $"{a.Key}={{{string.Join(",", a.Value)}}}")));
}
