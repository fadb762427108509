using CsCheck;

namespace QueueLab.Verification.Tests;

/// <summary>
/// A known input 0..n-1 and an output made from it with faults injected, drawn by CsCheck: a failing case shrinks
/// towards fewer ids and fewer faults.
/// </summary>
internal sealed record FaultyOutput(long[] Input, HashSet<long> Lost, HashSet<long> Duplicated, HashSet<long> Strays, long[] Output)
{
    private enum Fate
    {
        Delivered,
        Lost,
        Duplicated,
    }

    /// <summary>
    /// 1 to 199 ids, each lost with chance 1/10 and otherwise duplicated with chance 1/10, 0 to 2 stray ids from
    /// 1 000 000 on, and the output shuffled.
    /// </summary>
    public static Gen<FaultyOutput> Any { get; } =
        from unshuffled in Gen.Select(
            Gen.Frequency((81, Fate.Delivered), (10, Fate.Lost), (9, Fate.Duplicated)).Array[1, 199],
            Gen.Int[0, 2],
            Inject)
        from output in Gen.Shuffle(unshuffled.Output)
        select unshuffled with { Output = output };

    public override string ToString() =>
        $"input 0..{Input.Length - 1}, lost [{string.Join(",", Lost)}], duplicated [{string.Join(",", Duplicated)}], "
        + $"strays [{string.Join(",", Strays)}]\noutput [{string.Join(",", Output)}]";

    private static FaultyOutput Inject(Fate[] fates, int strayCount)
    {
        long[] input = [.. Enumerable.Range(0, fates.Length).Select(i => (long)i)];
        var lost = input.Where(id => fates[id] == Fate.Lost).ToHashSet();
        var duplicated = input.Where(id => fates[id] == Fate.Duplicated).ToHashSet();
        var strays = Enumerable.Range(0, strayCount).Select(i => 1_000_000L + i).ToHashSet();
        long[] output = [.. input.Where(id => !lost.Contains(id)), .. duplicated, .. strays];
        return new FaultyOutput(input, lost, duplicated, strays, output);
    }
}
