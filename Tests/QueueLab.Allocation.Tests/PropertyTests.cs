using CsCheck;
using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>
/// Properties over thousands of inputs drawn by CsCheck from <see cref="Scenario"/>'s generators, from a new random
/// seed each run. A failing case is shrunk to a small one and thrown as a <c>CsCheckException</c> whose message names
/// its seed (<c>Set seed: "…" or -e CsCheck_Seed=… to reproduce</c>) and prints the input, with the failed assertion
/// as its inner exception. To replay it, run that one test with the seed in the environment (CsCheck reads
/// <c>CsCheck_Seed</c> for every <c>Sample</c> in the process, hence the filter), for example
/// <c>CsCheck_Seed=3l78hcAh4lE2 dotnet test --project Tests/QueueLab.Allocation.Tests --no-build --filter-method "*.PropertyTests.A_single_join_or_leave_with_enough_consumers_moves_exactly_the_forced_consumers"</c>.
/// The seed's case runs first and the other iterations follow, so a run may end on an equally small case under another
/// seed; while debugging, pass <c>seed: "3l78hcAh4lE2", iter: 1</c> to that test's <c>Sample</c> to run that case alone.
/// What holds over a whole run rather than each case (enough cases checked, stickiness paying off overall) is
/// asserted after <c>Sample</c> and is not shrunk.
/// </summary>
public sealed class PropertyTests
{
    /// <summary>Cases per property: 1 500 or 2 × 1 500, as many as the seeded loops ran before.</summary>
    private const int Cases = 1500;

    [Fact]
    public void Proportional_counts_follow_the_rule_and_stay_within_one_of_the_recomputed_share()
    {
        var enoughConsumers = Scenario.Any().Select(s => s.Consumers.Count < s.Queues.Count
            ? s with { Consumers = [.. s.Consumers, .. Enumerable.Range(0, s.Queues.Count).Select(n => $"x{n:D2}")] }
            : s);

        enoughConsumers.Sample(scenario =>
        {
            var result = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);
            var reference = ReferenceShares.Compute(scenario.Queues, scenario.Consumers.Count);
            var because = $"{scenario} → {AllocationText.Of(result)}";

            result.Mode.ShouldBe(AllocationMode.Proportional, because);
            result.Assignments.Count.ShouldBe(scenario.Consumers.Count, because);
            result.Assignments.Values.ShouldAllBe(queues => queues.Count == 1, because);
            result.ConsumerCounts.Values.Sum().ShouldBe(scenario.Consumers.Count, because);
            foreach (var queue in scenario.Queues)
            {
                var count = result.ConsumerCounts[queue.Name];
                count.ShouldBeGreaterThanOrEqualTo(1, because);
                count.ShouldBe(reference[queue.Name].Count, because);
                Math.Abs(count - reference[queue.Name].Share).ShouldBeLessThan(1.0, because);
                var share = result.Shares.Single(s => s.Queue == queue.Name);
                share.Count.ShouldBe(count, because);
                Math.Abs(count - share.Share).ShouldBeLessThan(1.0, because);
                (share.Share < 1).ShouldBe(share.Pinned, because);
            }
        }, iter: 2 * Cases, print: scenario => scenario.ToString());
    }

    [Fact]
    public void Packed_uses_every_consumer_gives_every_queue_exactly_one_and_balances_priority()
    {
        var fewerConsumers = Scenario.Any(maxQueues: 30, maxConsumers: 12).Select(s => s.Consumers.Count >= s.Queues.Count
            ? s with { Consumers = [.. s.Consumers.Take(Math.Max(1, s.Queues.Count - 1))] }
            : s);

        fewerConsumers.Sample(scenario =>
        {
            if (scenario.Consumers.Count >= scenario.Queues.Count)
            {
                return;
            }

            var result = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);
            var because = $"{scenario} → {AllocationText.Of(result)}";
            var loads = Movement.Loads(result, scenario.Queues);

            result.Mode.ShouldBe(AllocationMode.Packed, because);
            result.Assignments.Keys.ShouldBe(scenario.Consumers.Order(StringComparer.Ordinal), because);
            result.Assignments.Values.ShouldAllBe(queues => queues.Count >= 1, because);
            result.ConsumerCounts.Values.ShouldAllBe(count => count == 1, because);
            result.Assignments.Values.Sum(q => q.Count).ShouldBe(scenario.Queues.Count, because);
            // Greedy packing, highest priority first: the spread of loads never exceeds the largest priority.
            (loads.Values.Max() - loads.Values.Min()).ShouldBeLessThanOrEqualTo(scenario.Queues.Max(q => q.Priority), because);
            // Each consumer got its last (smallest) queue while it was the least loaded, so without it no consumer
            // is above the lightest one.
            var priority = scenario.Queues.ToDictionary(q => q.Name, q => (long)q.Priority);
            foreach (var (consumer, queues) in result.Assignments)
            {
                (loads[consumer] - queues.Min(q => priority[q])).ShouldBeLessThanOrEqualTo(loads.Values.Min(), because);
            }
        }, iter: 2 * Cases, print: scenario => scenario.ToString());
    }

    [Fact]
    public void The_same_input_in_any_order_gives_the_same_allocation()
    {
        var inputs =
            from scenario in Scenario.Any(maxQueues: 15, maxConsumers: 15)
            from current in scenario.Current()
            from shuffled in scenario.Shuffled(current)
            select (scenario, current, shuffled);

        inputs.Sample(input =>
        {
            var (scenario, current, shuffled) = input;
            var expected = AllocationText.Of(ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current));

            var actual = ConsumerAllocator.Allocate(shuffled.Scenario.Queues, shuffled.Scenario.Consumers, shuffled.Current);

            AllocationText.Of(actual).ShouldBe(expected, $"{scenario}, {AllocationText.Of(current)}");
        }, iter: 2 * Cases, print: input =>
            $"{input.scenario}, {AllocationText.Of(input.current)}\nshuffled: {input.shuffled.Scenario}, {AllocationText.Of(input.shuffled.Current)}");
    }

    [Fact]
    public void Counts_depend_only_on_queues_and_the_number_of_consumers()
    {
        var inputs =
            from scenario in Scenario.Any(maxQueues: 15, maxConsumers: 15)
            from current in scenario.Current()
            select (scenario, current);

        inputs.Sample(input =>
        {
            var (scenario, current) = input;
            var fresh = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);

            var withHistory = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current);

            withHistory.ConsumerCounts.ShouldBe(fresh.ConsumerCounts, $"{scenario}, {AllocationText.Of(current)}");
        }, iter: Cases, print: input => $"{input.scenario}, {AllocationText.Of(input.current)}");
    }

    [Fact]
    public void Allocating_again_from_its_own_result_changes_nothing()
    {
        var inputs =
            from scenario in Scenario.Any(maxQueues: 15, maxConsumers: 15)
            from current in scenario.Current()
            select (scenario, current);

        inputs.Sample(input =>
        {
            var (scenario, current) = input;
            var first = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current);

            var again = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, first.Assignments);

            AllocationText.Of(again).ShouldBe(AllocationText.Of(first), $"{scenario}, {AllocationText.Of(current)}");
        }, iter: Cases, print: input => $"{input.scenario}, {AllocationText.Of(input.current)}");
    }

    /// <summary>
    /// The movement bound for consumers ≥ queues, before and after: a queue can keep at most its new count of its old
    /// holders, so Σ max(0, surviving old holders − new count) consumers must move. Exactly that many move, which is
    /// also at most Σ |Δ count| (the joiner or leaver is not counted: it has no "before" or no "after").
    /// </summary>
    [Fact]
    public void A_single_join_or_leave_with_enough_consumers_moves_exactly_the_forced_consumers()
    {
        const int iterations = 2 * Cases;
        var inputs =
            from scenario in Scenario.Any(maxQueues: 10, maxConsumers: 30)
            from current in scenario.Current()
            from next in scenario.JoinOrLeave()
            select (scenario, current, next);
        var checkedCases = 0;

        inputs.Sample(input =>
        {
            var (scenario, current, next) = input;
            if (next.Consumers.Count < scenario.Queues.Count || scenario.Consumers.Count < scenario.Queues.Count)
            {
                return;
            }

            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current);
            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);
            var moved = Movement.ConsumersMoved(before, after);
            var because = $"{scenario} → {next}\n{AllocationText.Of(before)}\n{AllocationText.Of(after)}";

            moved.ShouldBe(Movement.ForcedMoves(before, after), because);
            moved.ShouldBeLessThanOrEqualTo(Movement.CountDelta(before, after), because);
            Interlocked.Increment(ref checkedCases);
        }, iter: iterations, print: input => $"{input.scenario}, {AllocationText.Of(input.current)} → {input.next}");

        checkedCases.ShouldBeGreaterThan(iterations / 4);
    }

    [Fact]
    public void A_priority_change_with_enough_consumers_moves_exactly_the_forced_consumers()
    {
        var inputs =
            from scenario in Scenario.Any(maxQueues: 10, maxConsumers: 30)
            from next in scenario.Reprioritise()
            select (scenario, next);

        inputs.Sample(input =>
        {
            var (scenario, next) = input;
            if (scenario.Consumers.Count < scenario.Queues.Count)
            {
                return;
            }

            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);

            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);

            Movement.ConsumersMoved(before, after).ShouldBe(Movement.ForcedMoves(before, after), $"{scenario} → {next}");
        }, iter: Cases, print: input => $"{input.scenario} → {input.next}");
    }

    /// <summary>
    /// The bound for consumers &lt; queues: the result is at least as balanced as a fresh allocation (highest load not
    /// above, lowest not below) and never drops more of the survivors' (consumer, queue) pairs than allocating from scratch would.
    /// </summary>
    [Fact]
    public void A_packed_join_leave_or_priority_change_moves_no_more_than_a_fresh_allocation()
    {
        const int iterations = 2 * Cases;
        var inputs =
            from scenario in Scenario.Any(maxQueues: 25, maxConsumers: 10)
            from current in scenario.Current()
            from next in scenario.JoinLeaveOrReprioritise()
            select (scenario, current, next);
        var checkedCases = 0;
        var dropped = 0;
        var freshDropped = 0;

        inputs.Sample(input =>
        {
            var (scenario, current, next) = input;
            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current);
            if (next.Consumers.Count == 0 || next.Consumers.Count >= next.Queues.Count || before.Mode != AllocationMode.Packed)
            {
                return;
            }

            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);
            var fresh = ConsumerAllocator.Allocate(next.Queues, next.Consumers);
            var because = $"{scenario} → {next}\n{AllocationText.Of(before)}\n{AllocationText.Of(after)}";
            var loads = Movement.Loads(after, next.Queues).Values;
            var freshLoads = Movement.Loads(fresh, next.Queues).Values;

            loads.Max().ShouldBeLessThanOrEqualTo(freshLoads.Max(), because);
            loads.Min().ShouldBeGreaterThanOrEqualTo(freshLoads.Min(), because);
            after.Assignments.Values.ShouldAllBe(q => q.Count >= 1, because);
            Movement.PairsDropped(before, after).ShouldBeLessThanOrEqualTo(Movement.PairsDropped(before, fresh), because);
            Interlocked.Add(ref dropped, Movement.PairsDropped(before, after));
            Interlocked.Add(ref freshDropped, Movement.PairsDropped(before, fresh));
            Interlocked.Increment(ref checkedCases);
        }, iter: iterations, print: input => $"{input.scenario}, {AllocationText.Of(input.current)} → {input.next}");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{checkedCases} packed changes: {dropped} (consumer, queue) pairs dropped, {freshDropped} with fresh allocations");
        checkedCases.ShouldBeGreaterThan(iterations / 4);
        // Stickiness has to pay off overall, not just tie: far fewer queues move than with a fresh allocation.
        dropped.ShouldBeLessThan(freshDropped / 2);
    }
}
