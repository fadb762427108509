using System.Collections.Immutable;
using CsCheck;
using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>
/// An allocation input, and the CsCheck generators that draw it and the changes made to it. A failing case shrinks
/// towards fewer queues and consumers, lower priorities and a smaller current assignment.
/// </summary>
internal sealed record Scenario(IReadOnlyList<QueuePriority> Queues, IReadOnlyList<string> Consumers)
{
    /// <summary>
    /// 1 to <paramref name="maxQueues"/> queues <c>q01..</c> whose priorities go up to 1, 5, 20 or 1000, and 1 to
    /// <paramref name="maxConsumers"/> consumers <c>c01..</c>.
    /// </summary>
    public static Gen<Scenario> Any(int maxQueues = 12, int maxConsumers = 24) =>
        from maxPriority in Gen.OneOf(1, 5, 20, 1000)
        from priorities in Gen.Int[1, maxPriority].Array[1, maxQueues]
        from consumers in Gen.Int[1, maxConsumers]
        select new Scenario(
            [.. priorities.Select((priority, i) => new QueuePriority($"q{i + 1:D2}", priority))],
            [.. Enumerable.Range(1, consumers).Select(i => $"c{i:D2}")]);

    /// <summary>
    /// A current assignment to allocate from: a quarter of the time none; otherwise each consumer, and a stale one,
    /// holds on four times in five a few of the queues and a stale queue (each with chance 2 / (queues + 1)).
    /// </summary>
    public Gen<Dictionary<string, string[]>> Current()
    {
        string[] names = [.. Queues.Select(q => q.Name), "stale-queue"];
        string[] holders = [.. Consumers, "stale-consumer"];
        var held = Gen.Int[0, names.Length - 1].Array[names.Length]
            .Select(draws => names.Where((_, i) => draws[i] < 2).ToArray());
        var entry = Gen.Frequency((1, Gen.Const((string[]?)null)), (4, held.Select(queues => (string[]?)queues)));
        return Gen.Frequency(
            (1, Gen.Const(() => new Dictionary<string, string[]>())),
            (3, entry.Array[holders.Length].Select(entries => holders.Zip(entries)
                .Where(e => e.Second is not null)
                .ToDictionary(e => e.First, e => e.Second!))));
    }

    /// <summary>One consumer more (<c>joiner</c>) or one of the consumers gone, with even chances.</summary>
    public Gen<Scenario> JoinOrLeave() =>
        Gen.OneOf(Join(), Leave());

    /// <summary>
    /// One consumer more, one gone, or each queue's priority redrawn from 1..9 with chance 1/4, with even chances.
    /// </summary>
    public Gen<Scenario> JoinLeaveOrReprioritise() =>
        Gen.OneOf(
            Join(),
            Leave(),
            Gen.Frequency((3, Gen.Const((int?)null)), (1, Gen.Int[1, 9].Select(p => (int?)p))).Array[Queues.Count]
                .Select(priorities => this with
                {
                    Queues = [.. Queues.Select((q, n) => priorities[n] is { } p ? q with { Priority = p } : q)],
                }));

    /// <summary>One queue's priority redrawn from 1..49.</summary>
    public Gen<Scenario> Reprioritise() =>
        from changed in Gen.Int[0, Queues.Count - 1]
        from priority in Gen.Int[1, 49]
        select this with { Queues = [.. Queues.Select((q, n) => n == changed ? q with { Priority = priority } : q)] };

    /// <summary>The same input and current assignment in another order: queues, consumers, holders and held queues shuffled.</summary>
    public Gen<(Scenario Scenario, Dictionary<string, string[]> Current)> Shuffled(Dictionary<string, string[]> current) =>
        from queues in Gen.Shuffle(Queues.ToArray())
        from consumers in Gen.Shuffle(Consumers.ToArray())
        from holders in Gen.Shuffle(current.ToArray())
        from held in holders.Aggregate(
            Gen.Const(ImmutableList<KeyValuePair<string, string[]>>.Empty),
            (gen, holder) => from done in gen
                             from queues in Gen.Shuffle(holder.Value)
                             select done.Add(new(holder.Key, queues)))
        select (new Scenario(queues, consumers), held.ToDictionary());

    public override string ToString() => AllocationText.Of(Queues, Consumers);

    /// <summary>The same consumers and queues with one consumer more.</summary>
    public Scenario WithJoiner(string id) => this with { Consumers = [.. Consumers, id] };

    /// <summary>The same consumers and queues without one of the consumers.</summary>
    public Scenario Without(string id) => this with { Consumers = [.. Consumers.Where(c => c != id)] };

    private Gen<Scenario> Join() => Gen.Const(() => WithJoiner("joiner"));

    private Gen<Scenario> Leave() => Gen.Int[0, Consumers.Count - 1].Select(n => Without(Consumers[n]));
}
