namespace QueueLab.Allocation;

/// <summary>
/// Turns a sticky packing (every consumer keeps its queues, orphans placed on the least loaded) into one as balanced
/// as greedy packing, with single-queue moves and swaps that favour keeping queues where they were.
/// </summary>
internal static class PackingRebalancer
{
    private const int MaxSteps = 100_000;

    /// <summary>True when the plan ends with every consumer used and its loads within [minLoad, maxLoad].</summary>
    public static bool Rebalance(AllocationInput input, PackingPlan plan, long maxLoad, long minLoad) =>
        Repair(input, plan) && Polish(input, plan, maxLoad, minLoad);

    /// <summary>
    /// Brings the loads into the greedy plan's range [<paramref name="minLoad"/>, <paramref name="maxLoad"/>]: while
    /// the most loaded consumer is above it, it gives one queue (or swaps one for a smaller one) to another consumer;
    /// while the least loaded is below it, it takes one the same way. Every step strictly narrows the gap between
    /// its two consumers, so the sum of squared loads falls and the loop ends. False when the range is not reached.
    /// </summary>
    private static bool Polish(AllocationInput input, PackingPlan plan, long maxLoad, long minLoad)
    {
        for (var step = 0; step < MaxSteps; step++)
        {
            var byLoad = plan.Consumers.OrderBy(plan.Load).ThenBy(c => c, StringComparer.Ordinal).ToList();
            var (low, high) = (byLoad[0], byLoad[^1]);
            var lowering = plan.Load(high) > maxLoad;
            if (!lowering && plan.Load(low) >= minLoad)
            {
                return true;
            }

            var focus = lowering ? high : low;
            var exchange = plan.Consumers
                .Where(other => other != focus)
                .SelectMany(other => Exchanges(plan, lowering ? focus : other, lowering ? other : focus))
                .Where(e => lowering || plan.Load(e.To) + e.Delta <= maxLoad)
                .OrderBy(e => Cost(input, e))
                .ThenBy(e => e.Back is null ? 0 : 1)
                .ThenBy(e => lowering
                    ? Math.Max(plan.Load(e.From) - e.Delta, plan.Load(e.To) + e.Delta)
                    : -Math.Min(plan.Load(e.From) - e.Delta, plan.Load(e.To) + e.Delta))
                .ThenBy(e => e.From, StringComparer.Ordinal)
                .ThenBy(e => e.To, StringComparer.Ordinal)
                .ThenBy(e => e.Give, QueueOrder.Instance)
                .FirstOrDefault();
            if (exchange.Give is null)
            {
                return false;
            }

            plan.Move(exchange.Give, exchange.From, exchange.To);
            if (exchange.Back is { } back)
            {
                plan.Move(back, exchange.To, exchange.From);
            }
        }

        return false;
    }

    /// <summary>
    /// Every single move of a queue from <paramref name="from"/> to <paramref name="to"/>, and every swap of one of
    /// its queues for a smaller one of <paramref name="to"/>, that strictly narrows their gap.
    /// </summary>
    private static IEnumerable<QueueExchange> Exchanges(
        PackingPlan plan, string from, string to)
    {
        var gap = plan.Load(from) - plan.Load(to);
        foreach (var give in plan.QueuesOf(from))
        {
            if (plan.QueuesOf(from).Count >= 2 && give.Priority < gap)
            {
                yield return new QueueExchange(from, to, give, null, give.Priority);
            }

            foreach (var back in plan.QueuesOf(to))
            {
                var delta = (long)give.Priority - back.Priority;
                if (delta > 0 && delta < gap)
                {
                    yield return new QueueExchange(from, to, give, back, delta);
                }
            }
        }
    }

    /// <summary>How many queues an exchange takes away from a consumer that had them before, minus those it gives back.</summary>
    private static int Cost(
        AllocationInput input, QueueExchange e) =>
        (input.HadQueue(e.From, e.Give.Name) ? 1 : 0) - (input.HadQueue(e.To, e.Give.Name) ? 1 : 0)
        + (e.Back is null ? 0 : (input.HadQueue(e.To, e.Back.Name) ? 1 : 0) - (input.HadQueue(e.From, e.Back.Name) ? 1 : 0));

    /// <summary>
    /// While some consumer is out of balance, moves one of its queues to the least loaded consumer: preferably a
    /// queue it did not have before (costs no extra move) or one the recipient had. Every move narrows the gap
    /// between its two consumers (priority below their load difference; the smallest queue always qualifies), so
    /// the sum of squared loads falls and the loop ends, balanced.
    /// </summary>
    private static bool Repair(AllocationInput input, PackingPlan plan)
    {
        for (var step = 0; step < MaxSteps; step++)
        {
            var minLoad = plan.MinLoad;
            var donor = plan.Consumers
                .Where(c => plan.Excess(c, minLoad) > 0)
                .OrderByDescending(c => plan.Excess(c, minLoad))
                .ThenBy(c => c, StringComparer.Ordinal)
                .FirstOrDefault();
            if (donor is null)
            {
                return true;
            }

            var recipient = plan.LeastLoaded(input, null);
            var gap = plan.Load(donor) - plan.Load(recipient);
            var queue = plan.QueuesOf(donor)
                .Where(q => q.Priority < gap)
                .OrderBy(q => input.HadQueue(donor, q.Name) ? 1 : 0)
                .ThenBy(q => input.HadQueue(recipient, q.Name) ? 0 : 1)
                .ThenBy(q => Math.Max(plan.Load(donor) - q.Priority, plan.Load(recipient) + q.Priority))
                .ThenBy(q => q, QueueOrder.Instance)
                .First();
            plan.Move(queue, donor, recipient);
        }

        return false;
    }
}
