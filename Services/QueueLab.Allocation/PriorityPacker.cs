namespace QueueLab.Allocation;

/// <summary>
/// Consumers &lt; queues: every queue gets exactly one consumer, every consumer at least one queue, and the
/// consumers' total priorities (loads) are balanced as well as greedy longest-processing-time packing balances them:
/// queues by priority descending, each to the least loaded consumer (among equally loaded ones, the one that already
/// had the queue). That greedy plan is the reference; "as good" means every consumer used, highest load not above
/// and lowest load not below the reference's. Candidates: the reference; the same greedy packing ignoring the current
/// assignment (what a fresh start would do); and a sticky plan that keeps every consumer's queues, gives orphaned
/// queues to the least loaded, then moves or swaps single queues until its loads are in the reference's range. The
/// qualifying candidate moving the fewest queues wins (the first in that order on a tie), so the result never moves
/// more queues than allocating from scratch would, and a repeated call with its own result changes nothing.
/// </summary>
internal static class PriorityPacker
{
    public static Dictionary<string, IReadOnlyList<QueuePriority>> Pack(AllocationInput input)
    {
        var reference = Greedy(input, preferPrevious: true);
        var candidates = new List<PackingPlan> { reference, Greedy(input, preferPrevious: false) };
        if (Sticky(input, reference) is { } sticky)
        {
            candidates.Add(sticky);
        }

        // Greedy plans have the same loads whatever their ties, so both always qualify.
        return candidates
            .Where(p => Qualifies(p, reference))
            .MinBy(p => p.Moves(input))!
            .ToAssignments();
    }

    private static bool Qualifies(PackingPlan plan, PackingPlan reference) =>
        plan.EveryConsumerUsed && plan.MaxLoad <= reference.MaxLoad && plan.MinLoad >= reference.MinLoad;

    private static PackingPlan Greedy(AllocationInput input, bool preferPrevious)
    {
        var plan = new PackingPlan(input.Consumers);
        foreach (var queue in input.Queues)
        {
            plan.Add(plan.LeastLoaded(input, preferPrevious ? queue : null), queue);
        }

        return plan;
    }

    private static PackingPlan? Sticky(AllocationInput input, PackingPlan reference)
    {
        if (input.PreviousOwners.Count == 0)
        {
            return null;
        }

        var plan = new PackingPlan(input.Consumers);
        var orphans = new List<QueuePriority>();
        foreach (var queue in input.Queues)
        {
            // A queue served by several consumers before (proportional mode) stays with the least loaded of them.
            var owner = input.PreviousOwners.TryGetValue(queue.Name, out var owners)
                ? owners.OrderBy(plan.Load).ThenBy(o => o, StringComparer.Ordinal).First()
                : null;
            if (owner is null)
            {
                orphans.Add(queue);
            }
            else
            {
                plan.Add(owner, queue);
            }
        }

        foreach (var queue in orphans)
        {
            plan.Add(plan.LeastLoaded(input, queue), queue);
        }

        if (Qualifies(plan, reference))
        {
            return plan;
        }

        return PackingRebalancer.Rebalance(input, plan, reference.MaxLoad, reference.MinLoad) ? plan : null;
    }
}
