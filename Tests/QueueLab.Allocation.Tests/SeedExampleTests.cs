using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

public sealed class SeedExampleTests
{
    private static readonly string[] SixConsumers = ["c1", "c2", "c3", "c4", "c5", "c6"];

    [Fact]
    public void Priorities_4_1_1_over_6_consumers_give_4_1_1()
    {
        var result = ConsumerAllocator.Allocate([new("Q1", 4), new("Q2", 1), new("Q3", 1)], SixConsumers);

        result.Mode.ShouldBe(AllocationMode.Proportional);
        result.ConsumerCounts["Q1"].ShouldBe(4);
        result.ConsumerCounts["Q2"].ShouldBe(1);
        result.ConsumerCounts["Q3"].ShouldBe(1);
        result.Assignments.Values.ShouldAllBe(queues => queues.Count == 1);
        result.ConsumersOf("Q1").ShouldBe(["c1", "c2", "c3", "c4"]);
        result.ConsumersOf("Q2").ShouldBe(["c5"]);
        result.ConsumersOf("Q3").ShouldBe(["c6"]);
    }

    [Fact]
    public void Seven_queues_4_1_1_1_1_1_1_over_3_consumers_give_Q1_alone_and_two_groups_of_three()
    {
        QueuePriority[] queues =
            [new("Q1", 4), new("Q2", 1), new("Q3", 1), new("Q4", 1), new("Q5", 1), new("Q6", 1), new("Q7", 1)];

        var result = ConsumerAllocator.Allocate(queues, ["c1", "c2", "c3"]);

        result.Mode.ShouldBe(AllocationMode.Packed);
        result.QueuesOf("c1").ShouldBe(["Q1"]);
        result.QueuesOf("c2").Count.ShouldBe(3);
        result.QueuesOf("c3").Count.ShouldBe(3);
        result.ConsumerCounts.Values.ShouldAllBe(count => count == 1);
        result.Assignments.Values.SelectMany(q => q).Order().ShouldBe(queues.Select(q => q.Name));
    }

    [Fact]
    public void Priorities_100_1_1_over_3_consumers_give_1_1_1()
    {
        var result = ConsumerAllocator.Allocate([new("Q1", 100), new("Q2", 1), new("Q3", 1)], ["c1", "c2", "c3"]);

        result.ConsumerCounts.Values.ShouldBe([1, 1, 1]);
        result.Shares.Single(s => s.Queue == "Q1").Pinned.ShouldBeFalse();
        result.Shares.Where(s => s.Queue != "Q1").ShouldAllBe(s => s.Pinned && s.Share < 1);
    }

    [Fact]
    public void Pinned_queues_leave_the_pool_and_the_rest_is_recomputed()
    {
        // Over 10 consumers: shares 9.6, 0.2, 0.2 → Q2 and Q3 pinned at 1; Q1 gets the 8 left (share 8 of 8).
        var shares = PriorityShares.Compute([new("Q1", 48), new("Q2", 1), new("Q3", 1)], 10);

        shares.Select(s => (s.Queue, s.Count, s.Pinned)).ShouldBe([("Q1", 8, false), ("Q2", 1, true), ("Q3", 1, true)]);
        shares[0].Share.ShouldBe(8.0);
        shares[1].Share.ShouldBe(0.2, tolerance: 1e-12);
    }

    [Fact]
    public void Pinning_cascades_until_no_share_is_below_one()
    {
        // 5 consumers over 10,3,1: shares 3.57, 1.07, 0.36 → Q3 pinned; then 4 x 3 / 13 = 0.92 → Q2 pinned; Q1 gets 3.
        var shares = PriorityShares.Compute([new("Q1", 10), new("Q2", 3), new("Q3", 1)], 5);

        shares.Select(s => (s.Queue, s.Count, s.Pinned)).ShouldBe([("Q1", 3, false), ("Q2", 1, true), ("Q3", 1, true)]);
    }

    [Fact]
    public void Leftover_consumers_go_to_the_largest_fractional_remainders()
    {
        // 4 consumers over 3, 2: shares 2.4, 1.6 → floors 2, 1; the one left goes to the larger remainder (.6).
        var shares = PriorityShares.Compute([new("hi", 3), new("lo", 2)], 4);

        shares.Select(s => (s.Queue, s.Count)).ShouldBe([("hi", 2), ("lo", 2)]);
        shares.Sum(s => s.Count).ShouldBe(4);
    }

    [Fact]
    public void Remainder_ties_break_by_priority_first()
    {
        // 9 consumers over z:3, m:2, a:1: shares 4.5, 3, 1.5 → floors 4, 3, 1; one left; z and a tie at .5 →
        // the higher priority (z) wins although "a" sorts first by name.
        var shares = PriorityShares.Compute([new("a", 1), new("m", 2), new("z", 3)], 9);

        shares.Select(s => (s.Queue, s.Count)).ShouldBe([("z", 5), ("m", 3), ("a", 1)]);
    }

    [Fact]
    public void Remainder_ties_at_equal_priority_break_by_name()
    {
        // 6 consumers over qb:2, qa:2, qc:1: shares 2.4, 2.4, 1.2 → floors 2, 2, 1; one left; qa and qb tie → qa.
        var shares = PriorityShares.Compute([new("qb", 2), new("qa", 2), new("qc", 1)], 6);

        shares.Select(s => (s.Queue, s.Count)).ShouldBe([("qa", 3), ("qb", 2), ("qc", 1)]);
    }

    [Fact]
    public void Shares_need_at_least_one_consumer_per_queue()
    {
        var error = Should.Throw<ArgumentException>(() => PriorityShares.Compute([new("a", 1), new("b", 1)], 1));

        error.Message.ShouldContain("1 consumers for 2 queues");
    }
}
