using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>A random allocation input drawn from a seeded <see cref="Random"/>, so every failure replays.</summary>
internal sealed record Scenario(IReadOnlyList<QueuePriority> Queues, IReadOnlyList<string> Consumers)
{
    public static Scenario Draw(Random random, int maxQueues = 12, int maxConsumers = 24)
    {
        var maxPriority = random.Next(4) switch { 0 => 1, 1 => 5, 2 => 20, _ => 1000 };
        var queues = Enumerable.Range(1, random.Next(1, maxQueues + 1))
            .Select(i => new QueuePriority($"q{i:D2}", random.Next(1, maxPriority + 1)))
            .ToList();
        var consumers = Enumerable.Range(1, random.Next(1, maxConsumers + 1)).Select(i => $"c{i:D2}").ToList();
        return new Scenario(queues, consumers);
    }

    public override string ToString() => AllocationText.Of(Queues, Consumers);

    /// <summary>The same consumers and queues with one consumer more.</summary>
    public Scenario WithJoiner(string id) => this with { Consumers = [.. Consumers, id] };

    /// <summary>The same consumers and queues without one of the consumers.</summary>
    public Scenario Without(string id) => this with { Consumers = [.. Consumers.Where(c => c != id)] };

    public static List<T> Shuffle<T>(Random random, IEnumerable<T> items)
    {
        var list = items.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }
}
