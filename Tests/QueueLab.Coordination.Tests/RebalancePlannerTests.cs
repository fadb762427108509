using QueueLab.Rabbit;

namespace QueueLab.Coordination.Tests;

public sealed class RebalancePlannerTests
{
    private static readonly CoordinationKeys Keys = new();

    [Fact]
    public void A_first_plan_assigns_every_consumer_by_priority_with_the_next_generation()
    {
        var plan = RebalancePlanner.Plan(Snapshot(["c1", "c2", "c3", "c4", "c5", "c6"], new Dictionary<string, AssignmentDocument>(), generation: 7), Keys, "leader", 42);

        plan.Generation.ShouldBe(8);
        plan.Writes.Count.ShouldBe(6);
        plan.Writes.Values.ShouldAllBe(w => w.Generation == 8 && w.UpdatedAt == 42 && w.Leader == "leader" && w.Queues.Count == 1);
        plan.Allocation.ConsumerCounts.ShouldBe(new Dictionary<string, int> { ["queue-1"] = 4, ["queue-2"] = 1, ["queue-3"] = 1 });
        plan.Operations().Count().ShouldBe(7, "six assignments and the generation counter");
    }

    [Fact]
    public void A_plan_already_in_force_is_empty_and_a_leaving_consumer_moves_only_what_it_must()
    {
        var first = RebalancePlanner.Plan(Snapshot(["c1", "c2", "c3", "c4", "c5", "c6"], new Dictionary<string, AssignmentDocument>()), Keys, "leader", 1);
        var inForce = first.Writes.ToDictionary(w => w.Key, w => w.Value);
        RebalancePlanner.Plan(Snapshot(["c1", "c2", "c3", "c4", "c5", "c6"], inForce, generation: 1), Keys, "leader", 2).IsEmpty.ShouldBeTrue();

        // The sole consumer of queue-2 leaves: one consumer of queue-1 moves to queue-2, nobody else moves.
        var gone = inForce.Single(a => a.Value.Queues.SequenceEqual(["queue-2"])).Key;
        var applied = new Dictionary<string, AppliedDocument> { [gone] = new(1, ["queue-2"], 1) };
        var plan = RebalancePlanner.Plan(Snapshot([.. inForce.Keys.Where(c => c != gone)], inForce, 1, applied), Keys, "leader", 3);

        plan.Writes.Count.ShouldBe(1);
        plan.Writes.Single().Value.Queues.ShouldBe(["queue-2"]);
        inForce[plan.Writes.Single().Key].Queues.ShouldBe(["queue-1"]);
        plan.RemovedConsumers.ShouldBe([gone]);
        plan.Operations().Count().ShouldBe(4, "one assignment, the gone consumer's assignment and applied record, the counter");
    }

    private static CoordinationSnapshot Snapshot(
        IReadOnlyList<string> consumers, IReadOnlyDictionary<string, AssignmentDocument> assignments, long generation = 0,
        IReadOnlyDictionary<string, AppliedDocument>? applied = null) =>
        new(1, LabTopology.DefaultQueues, consumers, assignments, applied ?? new Dictionary<string, AppliedDocument>(), generation, []);
}
