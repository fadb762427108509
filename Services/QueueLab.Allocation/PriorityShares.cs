using System.Collections.Immutable;

namespace QueueLab.Allocation;

/// <summary>
/// The per-queue consumer counts when consumers ≥ queues: a queue whose share
/// <c>consumers x priority / total priority</c> is below 1 is pinned at one consumer and leaves the pool with it;
/// the shares of the others are recomputed over what is left until none is below 1; then floors, and the leftover
/// consumers go to the largest fractional remainders (ties: higher priority, then ordinal name).
/// Exact integer arithmetic: no floating-point ties.
/// </summary>
public static class PriorityShares
{
    /// <summary>Computes the counts and shares, in queue order (priority descending, then ordinal name).</summary>
    /// <exception cref="ArgumentException">Invalid queues, or fewer consumers than queues.</exception>
    public static ImmutableArray<QueueShare> Compute(IEnumerable<QueuePriority> queues, int consumerCount)
    {
        var input = AllocationInput.Create<string[]>(queues, [], null);
        return Compute(input.Queues, consumerCount);
    }

    internal static ImmutableArray<QueueShare> Compute(ImmutableArray<QueuePriority> ordered, int consumerCount)
    {
        if (consumerCount < ordered.Length)
        {
            throw new ArgumentException(
                $"Proportional shares need at least one consumer per queue: {consumerCount} consumers for {ordered.Length} queues.",
                nameof(consumerCount));
        }

        var shares = new Dictionary<string, QueueShare>(StringComparer.Ordinal);
        var pool = ordered.ToList();
        long consumers = consumerCount;
        long totalPriority = pool.Sum(q => (long)q.Priority);

        while (pool.Count > 0)
        {
            var pinned = pool.Where(q => consumers * q.Priority < totalPriority).ToList();
            if (pinned.Count == 0)
            {
                break;
            }

            foreach (var queue in pinned)
            {
                shares[queue.Name] = new QueueShare(
                    queue.Name, queue.Priority, consumers * queue.Priority, totalPriority, Count: 1, Pinned: true);
            }

            consumers -= pinned.Count;
            totalPriority -= pinned.Sum(q => (long)q.Priority);
            pool.RemoveAll(pinned.Contains);
        }

        if (pool.Count > 0)
        {
            var floors = pool.ToDictionary(q => q.Name, q => consumers * q.Priority / totalPriority, StringComparer.Ordinal);
            var leftover = consumers - floors.Values.Sum();
            var winners = pool
                .OrderByDescending(q => consumers * q.Priority % totalPriority)
                .ThenBy(q => q, QueueOrder.Instance)
                .Take((int)leftover)
                .Select(q => q.Name)
                .ToHashSet(StringComparer.Ordinal);
            foreach (var queue in pool)
            {
                var count = floors[queue.Name] + (winners.Contains(queue.Name) ? 1 : 0);
                shares[queue.Name] = new QueueShare(
                    queue.Name, queue.Priority, consumers * queue.Priority, totalPriority, (int)count, Pinned: false);
            }
        }

        return [.. ordered.Select(q => shares[q.Name])];
    }
}
