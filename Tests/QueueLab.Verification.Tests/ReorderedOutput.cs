using CsCheck;

namespace QueueLab.Verification.Tests;

/// <summary>
/// A known input 0..n-1 and an output of the same ids with a few moved, drawn by CsCheck: a failing case shrinks
/// towards fewer ids and fewer moves.
/// </summary>
internal sealed record ReorderedOutput(long[] Input, long[] Output)
{
    /// <summary>1 to 59 ids, then 0 to 4 times one of them taken out and put back at a random place.</summary>
    public static Gen<ReorderedOutput> Any { get; } =
        from n in Gen.Int[1, 59]
        from moves in Gen.Select(Gen.Int[0, n - 1], Gen.Int[0, n - 1]).Array[0, 4]
        select Move(n, moves);

    public override string ToString() => $"output [{string.Join(",", Output)}]";

    private static ReorderedOutput Move(int n, (int From, int To)[] moves)
    {
        long[] input = [.. Enumerable.Range(0, n).Select(i => (long)i)];
        var output = input.ToList();
        foreach (var (from, to) in moves)
        {
            var item = output[from];
            output.RemoveAt(from);
            output.Insert(to, item);
        }

        return new ReorderedOutput(input, [.. output]);
    }
}
