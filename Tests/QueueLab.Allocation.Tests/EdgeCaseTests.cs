using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

public sealed class EdgeCaseTests
{
    [Fact]
    public void No_consumers_gives_an_empty_assignment_and_zero_counts()
    {
        var result = ConsumerAllocator.Allocate([new("a", 1), new("b", 2)], []);

        result.Mode.ShouldBe(AllocationMode.Empty);
        result.Assignments.ShouldBeEmpty();
        result.ConsumerCounts.ShouldBe(new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 });
    }

    [Fact]
    public void No_queues_leaves_every_consumer_idle_but_listed()
    {
        var result = ConsumerAllocator.Allocate([], ["c2", "c1"]);

        result.Mode.ShouldBe(AllocationMode.Empty);
        result.Assignments.Keys.ShouldBe(["c1", "c2"]);
        result.Assignments.Values.ShouldAllBe(q => q.IsEmpty);
        result.ConsumerCounts.ShouldBeEmpty();
    }

    [Fact]
    public void Equal_numbers_of_consumers_and_queues_give_one_each_never_a_second_queue()
    {
        // The seed's round-robin handed a consumer a second queue here; every queue must get its own consumer.
        var result = ConsumerAllocator.Allocate([new("a", 5), new("b", 1), new("c", 1)], ["c1", "c2", "c3"]);

        result.Mode.ShouldBe(AllocationMode.Proportional);
        result.Assignments.Values.ShouldAllBe(q => q.Count == 1);
        result.ConsumerCounts.Values.ShouldAllBe(n => n == 1);
    }

    [Fact]
    public void Counts_never_exceed_the_consumers()
    {
        // Math.round in the seed gave 2 + 2 + 2 = 6 for 5 consumers over equal priorities (1.67 rounds to 2).
        var result = ConsumerAllocator.Allocate([new("a", 1), new("b", 1), new("c", 1)], ["c1", "c2", "c3", "c4", "c5"]);

        result.ConsumerCounts.Values.Sum().ShouldBe(5);
        result.ConsumerCounts.Values.ShouldBe([2, 2, 1]);
    }

    [Fact]
    public void Packing_ignores_queue_count_and_balances_priority()
    {
        // The seed split 7 queues 3, 3, 1 by count; by priority 6, 1, 1, 1, 1, 1, 1 over 2 consumers is {6} and {six 1s}.
        QueuePriority[] queues = [new("big", 6), .. Enumerable.Range(1, 6).Select(i => new QueuePriority($"s{i}", 1))];

        var result = ConsumerAllocator.Allocate(queues, ["c1", "c2"]);

        result.Assignments.Values.Select(q => q.Count).Order().ShouldBe([1, 6]);
        result.ConsumersOf("big").Length.ShouldBe(1);
        result.QueuesOf(result.ConsumersOf("big")[0]).ShouldBe(["big"]);
    }

    [Fact]
    public void Stale_entries_in_the_current_assignment_are_ignored()
    {
        var current = new Dictionary<string, string[]>
        {
            ["gone"] = ["a"],
            ["c1"] = ["removed-queue", "b"],
        };

        var result = ConsumerAllocator.Allocate([new("a", 1), new("b", 1)], ["c1", "c2"], current);

        result.QueuesOf("c1").ShouldBe(["b"]);
        result.QueuesOf("c2").ShouldBe(["a"]);
        result.Assignments.Keys.ShouldBe(["c1", "c2"]);
    }

    [Fact]
    public void The_previous_result_can_be_passed_back_as_the_current_assignment()
    {
        QueuePriority[] queues = [new("a", 3), new("b", 1)];
        var first = ConsumerAllocator.Allocate(queues, ["c1", "c2", "c3", "c4"]);

        var second = ConsumerAllocator.Allocate(queues, ["c1", "c2", "c3", "c4"], first.Assignments);

        AllocationText.Of(second).ShouldBe(AllocationText.Of(first));
    }

    [Fact]
    public void Huge_priorities_do_not_overflow()
    {
        QueuePriority[] queues = [new("a", int.MaxValue), new("b", int.MaxValue), new("c", 1)];

        var result = ConsumerAllocator.Allocate(queues, Enumerable.Range(0, 1001).Select(i => $"c{i:D4}"));

        result.ConsumerCounts.ShouldBe(new Dictionary<string, int> { ["a"] = 500, ["b"] = 500, ["c"] = 1 });
    }
}
