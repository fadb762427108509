using System.Collections.Immutable;

namespace QueueLab.Allocation;

/// <summary>
/// Validated, canonically ordered input: queues by <see cref="QueueOrder"/>, consumers by ordinal id, and the
/// current assignment reduced to live consumers and existing queues. Nothing downstream depends on input order.
/// </summary>
internal sealed record AllocationInput(
    ImmutableArray<QueuePriority> Queues,
    ImmutableArray<string> Consumers,
    IReadOnlyDictionary<string, ImmutableArray<QueuePriority>> PreviousQueues,
    IReadOnlyDictionary<string, ImmutableSortedSet<string>> PreviousOwners)
{
    public ImmutableArray<QueuePriority> PreviousQueuesOf(string consumer) =>
        PreviousQueues.TryGetValue(consumer, out var queues) ? queues : [];

    public bool HadQueue(string consumer, string queue) =>
        PreviousOwners.TryGetValue(queue, out var owners) && owners.Contains(consumer);

    public static AllocationInput Create<TQueues>(
        IEnumerable<QueuePriority> queues, IEnumerable<string> consumers, IReadOnlyDictionary<string, TQueues>? current)
        where TQueues : IEnumerable<string>
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(consumers);

        var queueList = queues.ToList();
        var byName = new Dictionary<string, QueuePriority>(StringComparer.Ordinal);
        foreach (var queue in queueList)
        {
            if (queue is null)
            {
                throw new ArgumentException("A queue entry is null.", nameof(queues));
            }

            if (string.IsNullOrWhiteSpace(queue.Name))
            {
                throw new ArgumentException("A queue name is empty or blank.", nameof(queues));
            }

            if (queue.Priority < 1)
            {
                throw new ArgumentException(
                    $"Queue '{queue.Name}' has priority {queue.Priority}; priorities must be 1 or more.", nameof(queues));
            }

            if (!byName.TryAdd(queue.Name, queue))
            {
                throw new ArgumentException($"Queue '{queue.Name}' is listed more than once.", nameof(queues));
            }
        }

        var consumerSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var consumer in consumers)
        {
            if (string.IsNullOrWhiteSpace(consumer))
            {
                throw new ArgumentException("A consumer id is empty or blank.", nameof(consumers));
            }

            if (!consumerSet.Add(consumer))
            {
                throw new ArgumentException($"Consumer '{consumer}' is listed more than once.", nameof(consumers));
            }
        }

        var previousQueues = new Dictionary<string, ImmutableArray<QueuePriority>>(StringComparer.Ordinal);
        var previousOwners = new Dictionary<string, ImmutableSortedSet<string>.Builder>(StringComparer.Ordinal);
        if (current is not null)
        {
            foreach (var (consumer, assigned) in current)
            {
                // Stale state is normal (a consumer died, a queue was removed): keep only what still exists.
                if (consumer is null || !consumerSet.Contains(consumer) || assigned is null)
                {
                    continue;
                }

                var kept = assigned
                    .Where(q => q is not null && byName.ContainsKey(q))
                    .Distinct(StringComparer.Ordinal)
                    .Select(q => byName[q])
                    .Order(QueueOrder.Instance)
                    .ToImmutableArray();
                previousQueues[consumer] = kept;
                foreach (var queue in kept)
                {
                    if (!previousOwners.TryGetValue(queue.Name, out var owners))
                    {
                        owners = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
                        previousOwners[queue.Name] = owners;
                    }

                    owners.Add(consumer);
                }
            }
        }

        return new AllocationInput(
            [.. queueList.Order(QueueOrder.Instance)],
            [.. consumerSet.Order(StringComparer.Ordinal)],
            previousQueues,
            previousOwners.ToDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal));
    }
}
