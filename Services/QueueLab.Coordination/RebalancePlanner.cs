using QueueLab.Allocation;

namespace QueueLab.Coordination;

/// <summary>
/// Turns a <see cref="CoordinationSnapshot"/> into a <see cref="RebalancePlan"/> with <see cref="ConsumerAllocator"/>,
/// passing the assignment in force so the allocation is sticky. Pure: the same snapshot gives the same plan.
/// </summary>
public static class RebalancePlanner
{
    public static RebalancePlan Plan(CoordinationSnapshot snapshot, CoordinationKeys keys, string leaderId, long nowMs)
    {
        var current = snapshot.Assignments
            .Where(a => snapshot.Consumers.Contains(a.Key, StringComparer.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value.Queues, StringComparer.Ordinal);
        var allocation = ConsumerAllocator.Allocate(
            snapshot.Queues.Select(q => new QueuePriority(q.Name, q.Priority)), snapshot.Consumers, current);

        var generation = snapshot.Generation + 1;
        var writes = new SortedDictionary<string, AssignmentDocument>(StringComparer.Ordinal);
        foreach (var (consumer, queues) in allocation.Assignments)
        {
            if (!current.TryGetValue(consumer, out var before) || !before.Order(StringComparer.Ordinal).SequenceEqual(queues, StringComparer.Ordinal))
            {
                writes[consumer] = new AssignmentDocument([.. queues], generation, nowMs, leaderId);
            }
        }

        var removed = snapshot.Assignments.Keys.Concat(snapshot.Applied.Keys)
            .Where(c => !snapshot.Consumers.Contains(c, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new RebalancePlan(generation, allocation, writes, removed, keys);
    }
}
