using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

public sealed class StickinessTests
{
    private static readonly QueuePriority[] Seed411 = [new("Q1", 4), new("Q2", 1), new("Q3", 1)];

    private static readonly QueuePriority[] SevenQueues =
        [new("Q1", 4), new("Q2", 1), new("Q3", 1), new("Q4", 1), new("Q5", 1), new("Q6", 1), new("Q7", 1)];

    [Fact]
    public void A_joining_consumer_takes_the_new_slot_and_nobody_else_moves()
    {
        var before = ConsumerAllocator.Allocate(Seed411, ["c1", "c2", "c3", "c4", "c5", "c6"]);

        // 7 x 4 / 6 = 4.67 → Q1 gets the extra consumer: 5, 1, 1.
        var after = ConsumerAllocator.Allocate(Seed411, ["c0", "c1", "c2", "c3", "c4", "c5", "c6"], before.Assignments);

        after.ConsumerCounts.Values.ShouldBe([5, 1, 1]);
        Movement.ConsumersMoved(before, after).ShouldBe(0);
        after.QueuesOf("c0").ShouldBe(["Q1"]);
    }

    [Fact]
    public void A_leaving_consumer_whose_queue_needs_a_replacement_pulls_exactly_one_consumer_over()
    {
        var before = ConsumerAllocator.Allocate(Seed411, ["c1", "c2", "c3", "c4", "c5", "c6"]);
        var leaver = before.ConsumersOf("Q2").Single();

        // 5 consumers: 3.33, .83, .83 → Q2 and Q3 pinned, Q1 gets 3: one of Q1's four must cover Q2.
        var after = ConsumerAllocator.Allocate(
            Seed411, before.Assignments.Keys.Where(c => c != leaver), before.Assignments);

        after.ConsumerCounts.Values.ShouldBe([3, 1, 1]);
        Movement.ConsumersMoved(before, after).ShouldBe(1);
        after.ConsumersOf("Q3").ShouldBe(before.ConsumersOf("Q3"));
    }

    [Fact]
    public void A_leaving_consumer_of_a_shrinking_queue_moves_nobody()
    {
        var before = ConsumerAllocator.Allocate(Seed411, ["c1", "c2", "c3", "c4", "c5", "c6"]);
        var leaver = before.ConsumersOf("Q1")[0];

        var after = ConsumerAllocator.Allocate(
            Seed411, before.Assignments.Keys.Where(c => c != leaver), before.Assignments);

        after.ConsumerCounts.Values.ShouldBe([3, 1, 1]);
        Movement.ConsumersMoved(before, after).ShouldBe(0);
    }

    [Fact]
    public void Packed_a_leaving_consumer_only_moves_its_own_queues()
    {
        QueuePriority[] six = [.. Enumerable.Range(1, 6).Select(i => new QueuePriority($"q{i}", 1))];
        var before = ConsumerAllocator.Allocate(six, ["c1", "c2", "c3"]);

        var after = ConsumerAllocator.Allocate(six, ["c1", "c2"], before.Assignments);

        Movement.PairsDropped(before, after).ShouldBe(0);
        after.QueuesOf("c1").IsSupersetOf(before.QueuesOf("c1")).ShouldBeTrue();
        after.QueuesOf("c2").IsSupersetOf(before.QueuesOf("c2")).ShouldBeTrue();
        after.Assignments.Values.ShouldAllBe(q => q.Count == 3);
    }

    [Fact]
    public void Packed_a_joining_consumer_takes_only_the_queues_the_balance_needs()
    {
        var before = ConsumerAllocator.Allocate(SevenQueues, ["c1", "c2", "c3"]);

        var after = ConsumerAllocator.Allocate(SevenQueues, ["c1", "c2", "c3", "c4"], before.Assignments);

        // Before: 4 | 3 | 3. The best balance for 4 consumers is 4 | 2 | 2 | 2: c2 and c3 each hand one queue to c4,
        // and nothing else moves (a fresh allocation would move four queues).
        Movement.Loads(after, SevenQueues).Values.Order().ShouldBe([2L, 2L, 2L, 4L]);
        Movement.PairsDropped(before, after).ShouldBe(2);
        after.QueuesOf("c2").IsSubsetOf(before.QueuesOf("c2")).ShouldBeTrue();
        after.QueuesOf("c3").IsSubsetOf(before.QueuesOf("c3")).ShouldBeTrue();
        after.QueuesOf("c4").Count.ShouldBe(2);
        after.QueuesOf("c1").ShouldBe(["Q1"]);
    }

    [Fact]
    public void Packed_a_leaving_consumer_keeps_the_survivors_queues_when_balance_allows()
    {
        var before = ConsumerAllocator.Allocate(SevenQueues, ["c1", "c2", "c3"]);

        var after = ConsumerAllocator.Allocate(SevenQueues, ["c1", "c3"], before.Assignments);

        // The best for 4,1,1,1,1,1,1 over 2 is 5 | 5: c3 keeps its three and takes two of c2's, c1 takes the third.
        Movement.Loads(after, SevenQueues).Values.Order().ShouldBe([5L, 5L]);
        Movement.PairsDropped(before, after).ShouldBe(0);
        after.QueuesOf("c3").IsSupersetOf(before.QueuesOf("c3")).ShouldBeTrue();
        after.QueuesOf("c1").ShouldContain("Q1");
    }

    [Fact]
    public void Moving_from_packed_to_proportional_keeps_each_consumer_on_one_of_its_queues()
    {
        var before = ConsumerAllocator.Allocate(SevenQueues, ["c1", "c2", "c3"]);
        string[] many = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"];

        var after = ConsumerAllocator.Allocate(SevenQueues, many, before.Assignments);

        after.Mode.ShouldBe(AllocationMode.Proportional);
        foreach (var consumer in new[] { "c1", "c2", "c3" })
        {
            before.QueuesOf(consumer).ShouldContain(after.QueuesOf(consumer).Single());
        }
    }

    [Fact]
    public void Moving_from_proportional_to_packed_keeps_a_queue_with_one_of_its_consumers()
    {
        QueuePriority[] three = [new("a", 1), new("b", 1), new("c", 1)];
        var before = ConsumerAllocator.Allocate(three, ["c1", "c2", "c3"]);

        var after = ConsumerAllocator.Allocate(three, ["c1", "c3"], before.Assignments);

        after.Mode.ShouldBe(AllocationMode.Packed);
        after.QueuesOf("c1").ShouldContain(before.QueuesOf("c1").Single());
        after.QueuesOf("c3").ShouldContain(before.QueuesOf("c3").Single());
    }

    [Fact]
    public void A_priority_change_moves_only_the_consumers_the_new_counts_require()
    {
        QueuePriority[] before411 = Seed411;
        QueuePriority[] after141 = [new("Q1", 1), new("Q2", 4), new("Q3", 1)];
        var consumers = new[] { "c1", "c2", "c3", "c4", "c5", "c6" };
        var before = ConsumerAllocator.Allocate(before411, consumers);

        var after = ConsumerAllocator.Allocate(after141, consumers, before.Assignments);

        after.ConsumerCounts.Values.ShouldBe([1, 4, 1]);
        Movement.ConsumersMoved(before, after).ShouldBe(3);
        after.ConsumersOf("Q3").ShouldBe(before.ConsumersOf("Q3"));
    }
}
