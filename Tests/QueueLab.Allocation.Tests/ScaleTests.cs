using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

public sealed class ScaleTests
{
    [Fact]
    public void Hundreds_of_queues_and_consumers_rebalance_stickily()
    {
        var random = new Random(42);
        QueuePriority[] queues = [.. Enumerable.Range(0, 600).Select(i => new QueuePriority($"q{i:D4}", random.Next(1, 100)))];
        string[] consumers = [.. Enumerable.Range(0, 150).Select(i => $"c{i:D4}")];
        var before = ConsumerAllocator.Allocate(queues, consumers);
        var afterLeave = ConsumerAllocator.Allocate(queues, consumers.Skip(1), before.Assignments);
        var afterJoin = ConsumerAllocator.Allocate(queues, [.. consumers, "joiner"], before.Assignments);
        var freshLeave = ConsumerAllocator.Allocate(queues, consumers.Skip(1));

        // Greedy packing of 600 queues leaves loads within a few units of each other (a very tight range); matching
        // that range after a leave takes some swaps, still far fewer than re-packing from scratch.
        Movement.PairsDropped(before, afterLeave).ShouldBeLessThan(Movement.PairsDropped(before, freshLeave) / 3);
        Movement.Loads(afterLeave, queues).Values.Max().ShouldBe(Movement.Loads(freshLeave, queues).Values.Max());
        afterJoin.QueuesOf("joiner").ShouldNotBeEmpty();
    }

    [Fact]
    public void Thousands_of_consumers_over_many_queues_allocate_proportionally()
    {
        var random = new Random(7);
        QueuePriority[] queues = [.. Enumerable.Range(0, 200).Select(i => new QueuePriority($"q{i:D3}", random.Next(1, 1000)))];
        string[] consumers = [.. Enumerable.Range(0, 5000).Select(i => $"c{i:D5}")];
        var before = ConsumerAllocator.Allocate(queues, consumers);

        var after = ConsumerAllocator.Allocate(queues, consumers.Where(c => c != "c00042"), before.Assignments);

        after.ConsumerCounts.Values.Sum().ShouldBe(4999);
        Movement.ConsumersMoved(before, after).ShouldBe(Movement.ForcedMoves(before, after));
    }
}
