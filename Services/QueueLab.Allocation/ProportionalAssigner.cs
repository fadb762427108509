namespace QueueLab.Allocation;

/// <summary>
/// Consumers ≥ queues: gives each consumer exactly one queue so that every queue gets its count, keeping as many
/// consumers as possible on a queue they already served (a maximum bipartite matching between consumers and the
/// slots of their previous queues), then filling the free slots with the others in canonical order.
/// </summary>
internal static class ProportionalAssigner
{
    public static Dictionary<string, string> Assign(AllocationInput input, IReadOnlyList<QueueShare> shares)
    {
        var capacity = shares.ToDictionary(s => s.Queue, s => s.Count, StringComparer.Ordinal);
        var holders = shares.ToDictionary(
            s => s.Queue, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var assigned = new Dictionary<string, string>(StringComparer.Ordinal);

        // Kuhn's augmenting paths: a matched consumer only ever moves to another of its previous queues, so the
        // number of consumers kept where they were is maximal and nobody kept is displaced by a later one.
        foreach (var consumer in input.Consumers)
        {
            if (input.PreviousQueuesOf(consumer).Length > 0)
            {
                TryKeep(consumer, new HashSet<string>(StringComparer.Ordinal));
            }
        }

        var free = new Queue<string>(input.Queues
            .SelectMany(q => Enumerable.Repeat(q.Name, capacity[q.Name] - holders[q.Name].Count)));
        foreach (var consumer in input.Consumers.Where(c => !assigned.ContainsKey(c)).ToList())
        {
            Place(consumer, free.Dequeue());
        }

        return assigned;

        bool TryKeep(string consumer, HashSet<string> visited)
        {
            foreach (var queue in input.PreviousQueuesOf(consumer))
            {
                if (!visited.Add(queue.Name))
                {
                    continue;
                }

                if (holders[queue.Name].Count < capacity[queue.Name])
                {
                    Place(consumer, queue.Name);
                    return true;
                }

                foreach (var holder in holders[queue.Name].ToArray())
                {
                    if (TryKeep(holder, visited))
                    {
                        Place(consumer, queue.Name);
                        return true;
                    }
                }
            }

            return false;
        }

        void Place(string consumer, string queue)
        {
            if (assigned.TryGetValue(consumer, out var old))
            {
                holders[old].Remove(consumer);
            }

            assigned[consumer] = queue;
            holders[queue].Add(consumer);
        }
    }
}
