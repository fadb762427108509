using System.Collections.Immutable;

namespace QueueLab.Allocation;

/// <summary>
/// Allocates live consumers to queues by priority: one pure, deterministic function of (queues with priorities,
/// live consumer ids, current assignment). The result does not depend on the order of any input.
/// <list type="bullet">
/// <item>Consumers ≥ queues (<see cref="AllocationMode.Proportional"/>): each consumer serves exactly one queue;
/// every queue gets at least one; counts come from <see cref="PriorityShares"/>.</item>
/// <item>Consumers &lt; queues (<see cref="AllocationMode.Packed"/>): each queue is served by exactly one consumer,
/// every consumer serves at least one queue, total priority per consumer balanced as greedy packing (highest
/// priority first, to the least loaded consumer) balances it.</item>
/// <item>Sticky: the counts never depend on the current assignment, only which consumer goes where. Proportional:
/// the number of consumers kept on a queue they served is maximal, so exactly the consumers the new counts force
/// off a queue move. Packed: among plans as balanced as greedy packing (highest load not above, lowest not below),
/// the one keeping the most queues with their consumer is taken, never moving more than a fresh allocation would.
/// Passing a result back as the current assignment returns it unchanged.</item>
/// </list>
/// </summary>
public static class ConsumerAllocator
{
    /// <summary>Allocates from scratch (no current assignment).</summary>
    /// <exception cref="ArgumentException">A priority below 1, or an empty or duplicated queue name or consumer id.</exception>
    public static AllocationResult Allocate(IEnumerable<QueuePriority> queues, IEnumerable<string> consumers) =>
        Allocate<IEnumerable<string>>(queues, consumers, null);

    /// <summary>Allocates, keeping consumers on the queues of <paramref name="current"/> where the new counts allow.</summary>
    /// <param name="queues">The queues and their priorities.</param>
    /// <param name="consumers">The live consumer ids.</param>
    /// <param name="current">
    /// The assignment in force (consumer id to queue names), for example the previous result's
    /// <see cref="AllocationResult.Assignments"/>. Entries for dead consumers or removed queues are ignored.
    /// </param>
    /// <exception cref="ArgumentException">A priority below 1, or an empty or duplicated queue name or consumer id.</exception>
    public static AllocationResult Allocate<TQueues>(
        IEnumerable<QueuePriority> queues, IEnumerable<string> consumers, IReadOnlyDictionary<string, TQueues>? current)
        where TQueues : IEnumerable<string>
    {
        var input = AllocationInput.Create(queues, consumers, current);

        if (input.Queues.IsEmpty || input.Consumers.IsEmpty)
        {
            return Build(
                AllocationMode.Empty,
                input.Consumers.ToDictionary(c => c, _ => Enumerable.Empty<string>(), StringComparer.Ordinal),
                input,
                []);
        }

        if (input.Consumers.Length >= input.Queues.Length)
        {
            var shares = PriorityShares.Compute(input.Queues, input.Consumers.Length);
            var assigned = ProportionalAssigner.Assign(input, shares);
            return Build(
                AllocationMode.Proportional,
                assigned.ToDictionary(p => p.Key, p => (IEnumerable<string>)[p.Value], StringComparer.Ordinal),
                input,
                shares);
        }

        var packed = PriorityPacker.Pack(input);
        return Build(
            AllocationMode.Packed,
            packed.ToDictionary(p => p.Key, p => p.Value.Select(q => q.Name), StringComparer.Ordinal),
            input,
            []);
    }

    private static AllocationResult Build(
        AllocationMode mode,
        Dictionary<string, IEnumerable<string>> assignments,
        AllocationInput input,
        ImmutableArray<QueueShare> shares)
    {
        var sorted = assignments.ToImmutableSortedDictionary(
            p => p.Key, p => p.Value.ToImmutableSortedSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var counts = input.Queues.ToImmutableSortedDictionary(
            q => q.Name, q => sorted.Values.Count(set => set.Contains(q.Name)), StringComparer.Ordinal);
        return new AllocationResult(mode, sorted, counts, shares);
    }
}
