using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>
/// Properties over thousands of inputs drawn from seeded generators: a failure names its seed and case, and replays.
/// </summary>
public sealed class PropertyTests
{
    private const int Cases = 1500;

    [Theory]
    [InlineData(101)]
    [InlineData(202)]
    public void Proportional_counts_follow_the_rule_and_stay_within_one_of_the_recomputed_share(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random);
            if (scenario.Consumers.Count < scenario.Queues.Count)
            {
                scenario = scenario with { Consumers = [.. scenario.Consumers, .. Enumerable.Range(0, scenario.Queues.Count).Select(n => $"x{n:D2}")] };
            }

            var result = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);
            var reference = ReferenceShares.Compute(scenario.Queues, scenario.Consumers.Count);
            var because = $"seed {seed} case {i}: {scenario} → {AllocationText.Of(result)}";

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
        }
    }

    [Theory]
    [InlineData(303)]
    [InlineData(404)]
    public void Packed_uses_every_consumer_gives_every_queue_exactly_one_and_balances_priority(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 30, maxConsumers: 12);
            if (scenario.Consumers.Count >= scenario.Queues.Count)
            {
                scenario = scenario with { Consumers = [.. scenario.Consumers.Take(Math.Max(1, scenario.Queues.Count - 1))] };
            }

            if (scenario.Consumers.Count >= scenario.Queues.Count)
            {
                continue;
            }

            var result = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);
            var because = $"seed {seed} case {i}: {scenario} → {AllocationText.Of(result)}";
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
        }
    }

    [Theory]
    [InlineData(505)]
    [InlineData(606)]
    public void The_same_input_in_any_order_gives_the_same_allocation(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 15, maxConsumers: 15);
            var current = RandomCurrent(random, scenario);
            var expected = AllocationText.Of(ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, current));

            var shuffledCurrent = Scenario.Shuffle(random, current)
                .ToDictionary(p => p.Key, p => Scenario.Shuffle(random, p.Value).ToArray());
            var shuffled = ConsumerAllocator.Allocate(
                Scenario.Shuffle(random, scenario.Queues), Scenario.Shuffle(random, scenario.Consumers), shuffledCurrent);

            AllocationText.Of(shuffled).ShouldBe(expected, $"seed {seed} case {i}: {scenario}");
        }
    }

    [Theory]
    [InlineData(707)]
    public void Counts_depend_only_on_queues_and_the_number_of_consumers(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 15, maxConsumers: 15);
            var fresh = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);

            var withHistory = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, RandomCurrent(random, scenario));

            withHistory.ConsumerCounts.ShouldBe(fresh.ConsumerCounts, $"seed {seed} case {i}: {scenario}");
        }
    }

    [Theory]
    [InlineData(808)]
    public void Allocating_again_from_its_own_result_changes_nothing(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 15, maxConsumers: 15);
            var first = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, RandomCurrent(random, scenario));

            var again = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, first.Assignments);

            AllocationText.Of(again).ShouldBe(AllocationText.Of(first), $"seed {seed} case {i}: {scenario}");
        }
    }

    /// <summary>
    /// The movement bound for consumers ≥ queues, before and after: a queue can keep at most its new count of its old
    /// holders, so Σ max(0, surviving old holders − new count) consumers must move. Exactly that many move, which is
    /// also at most Σ |Δ count| (the joiner or leaver is not counted: it has no "before" or no "after").
    /// </summary>
    [Theory]
    [InlineData(909)]
    [InlineData(1010)]
    public void A_single_join_or_leave_with_enough_consumers_moves_exactly_the_forced_consumers(int seed)
    {
        var random = new Random(seed);
        var checkedCases = 0;
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 10, maxConsumers: 30);
            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, RandomCurrent(random, scenario));
            var next = random.Next(2) == 0
                ? scenario.WithJoiner("joiner")
                : scenario.Without(scenario.Consumers[random.Next(scenario.Consumers.Count)]);
            if (next.Consumers.Count < scenario.Queues.Count || scenario.Consumers.Count < scenario.Queues.Count)
            {
                continue;
            }

            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);
            var moved = Movement.ConsumersMoved(before, after);
            var because = $"seed {seed} case {i}: {scenario} → {next}\n{AllocationText.Of(before)}\n{AllocationText.Of(after)}";

            moved.ShouldBe(Movement.ForcedMoves(before, after), because);
            moved.ShouldBeLessThanOrEqualTo(Movement.CountDelta(before, after), because);
            checkedCases++;
        }

        checkedCases.ShouldBeGreaterThan(Cases / 4);
    }

    [Theory]
    [InlineData(1111)]
    public void A_priority_change_with_enough_consumers_moves_exactly_the_forced_consumers(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 10, maxConsumers: 30);
            if (scenario.Consumers.Count < scenario.Queues.Count)
            {
                continue;
            }

            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers);
            var changed = random.Next(scenario.Queues.Count);
            var next = scenario with
            {
                Queues = [.. scenario.Queues.Select((q, n) => n == changed ? q with { Priority = random.Next(1, 50) } : q)],
            };

            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);

            Movement.ConsumersMoved(before, after).ShouldBe(Movement.ForcedMoves(before, after), $"seed {seed} case {i}: {scenario} → {next}");
        }
    }

    /// <summary>
    /// The bound for consumers &lt; queues: the result is at least as balanced as a fresh allocation (highest load not
    /// above, lowest not below) and never drops more of the survivors' (consumer, queue) pairs than allocating from scratch would.
    /// </summary>
    [Theory]
    [InlineData(1212)]
    [InlineData(1313)]
    public void A_packed_join_leave_or_priority_change_moves_no_more_than_a_fresh_allocation(int seed)
    {
        var random = new Random(seed);
        var checkedCases = 0;
        var dropped = 0;
        var freshDropped = 0;
        for (var i = 0; i < Cases; i++)
        {
            var scenario = Scenario.Draw(random, maxQueues: 25, maxConsumers: 10);
            var before = ConsumerAllocator.Allocate(scenario.Queues, scenario.Consumers, RandomCurrent(random, scenario));
            var next = random.Next(3) switch
            {
                0 => scenario.WithJoiner("joiner"),
                1 => scenario.Without(scenario.Consumers[random.Next(scenario.Consumers.Count)]),
                _ => scenario with
                {
                    Queues = [.. scenario.Queues.Select(q => random.Next(4) == 0 ? q with { Priority = random.Next(1, 10) } : q)],
                },
            };
            if (next.Consumers.Count == 0 || next.Consumers.Count >= next.Queues.Count || before.Mode != AllocationMode.Packed)
            {
                continue;
            }

            var after = ConsumerAllocator.Allocate(next.Queues, next.Consumers, before.Assignments);
            var fresh = ConsumerAllocator.Allocate(next.Queues, next.Consumers);
            var because = $"seed {seed} case {i}: {scenario} → {next}\n{AllocationText.Of(before)}\n{AllocationText.Of(after)}";
            var loads = Movement.Loads(after, next.Queues).Values;
            var freshLoads = Movement.Loads(fresh, next.Queues).Values;

            loads.Max().ShouldBeLessThanOrEqualTo(freshLoads.Max(), because);
            loads.Min().ShouldBeGreaterThanOrEqualTo(freshLoads.Min(), because);
            after.Assignments.Values.ShouldAllBe(q => q.Count >= 1, because);
            Movement.PairsDropped(before, after).ShouldBeLessThanOrEqualTo(Movement.PairsDropped(before, fresh), because);
            dropped += Movement.PairsDropped(before, after);
            freshDropped += Movement.PairsDropped(before, fresh);
            checkedCases++;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{checkedCases} packed changes: {dropped} (consumer, queue) pairs dropped, {freshDropped} with fresh allocations");
        checkedCases.ShouldBeGreaterThan(Cases / 4);
        // Stickiness has to pay off overall, not just tie: far fewer queues move than with a fresh allocation.
        dropped.ShouldBeLessThan(freshDropped / 2);
    }

    private static Dictionary<string, string[]> RandomCurrent(Random random, Scenario scenario)
    {
        var current = new Dictionary<string, string[]>();
        if (random.Next(4) == 0)
        {
            return current;
        }

        var names = scenario.Queues.Select(q => q.Name).Append("stale-queue").ToList();
        foreach (var consumer in scenario.Consumers.Append("stale-consumer"))
        {
            if (random.Next(5) > 0)
            {
                current[consumer] = [.. names.Where(_ => random.Next(names.Count) < 2)];
            }
        }

        return current;
    }
}
