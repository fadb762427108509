using CsCheck;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>
/// One generated message before its seqs are known: its kind, the seq it carries relative to the run's first seq, a
/// variant (the payload and the spelling), or a byte-identical copy of an earlier message of the run.
/// </summary>
public sealed record InputTemplate(InputKind Kind, int RelativeSeq, int Variant, int? CopyOf = null)
{
    public override string ToString() => CopyOf is { } i ? $"copy of #{i}" : $"{Kind}(seq+{RelativeSeq}, v{Variant})";
}

/// <summary>One message of a run, as pushed: its bytes, and what the contract says of it.</summary>
/// <param name="ClaimSeq">The seq it claims (valid messages and bad bodies around a valid seq), or null.</param>
/// <param name="Reason">Its dead-letter reason when it is not valid, or null.</param>
public sealed record FuzzMessage(int Index, byte[] Raw, InputKind Kind, long? ClaimSeq, string? Reason, string? Payload);

/// <summary>
/// The fuzz suite's generator: runs of messages over <c>n</c> consecutive seqs, where every seq has at least one message
/// that claims it (so the sequencer can pass every seq of the run), mixed with impostors (a different body with a taken
/// seq), unreadable first attempts followed by a corrected resend, junk of every class, and byte-identical copies, in a
/// random order. CsCheck shrinks a failing run to a minimal one.
/// </summary>
public static class FuzzInput
{
    private static readonly Gen<InputKind> ClaimingKind = Gen.OneOf<InputKind>([.. InputCatalogue.ClaimingKinds]);

    private static readonly Gen<InputKind> UnreadableKind = Gen.OneOf<InputKind>([.. InputCatalogue.UnreadableKinds]);

    private static readonly Gen<InputKind> Candidate = Gen.Frequency((7, Gen.Const(InputKind.Valid)), (3, ClaimingKind));

    /// <summary>Runs over 1 to <paramref name="maxSeqs"/> seqs.</summary>
    public static Gen<InputTemplate[]> Runs(int maxSeqs) =>
        Gen.Int[1, maxSeqs].SelectMany(n =>
            Gen.Select(
                SeqGroup.Array[n],
                Gen.Select(UnreadableKind, Gen.Int[0, n - 1], Gen.Int[0, 999]).Array[0, Math.Max(1, n / 3)],
                Gen.Int[0, 10_000].Array[0, Math.Max(1, n / 4)],
                (groups, junk, copies) => (groups, junk, copies)))
        .SelectMany(t =>
        {
            var list = new List<InputTemplate>();
            for (var r = 0; r < t.groups.Length; r++)
            {
                list.AddRange(t.groups[r].Select(g => g with { RelativeSeq = r }));
            }

            list.AddRange(t.junk.Select(j => new InputTemplate(j.Item1, j.Item2, j.Item3)));
            var originals = list.Count;
            foreach (var c in t.copies)
            {
                list.Add(new InputTemplate(InputKind.Valid, 0, 0, c % originals));
            }

            return Gen.Shuffle(list.ToArray());
        });

    /// <summary>The messages for one seq: a candidate that claims it, and sometimes an impostor and an unreadable first attempt.</summary>
    private static readonly Gen<InputTemplate[]> SeqGroup =
        Gen.Select(Candidate, Gen.Int[0, 499], Gen.Int[0, 99], Candidate, Gen.Int[0, 99], UnreadableKind, (kind, variant, impostorRoll, impostorKind, unreadableRoll, unreadableKind) =>
        {
            var group = new List<InputTemplate> { new(kind, 0, variant * 2) };
            if (impostorRoll < 15)
            {
                group.Add(new InputTemplate(impostorKind, 0, (variant * 2) + 1));
            }

            if (unreadableRoll < 15)
            {
                group.Add(new InputTemplate(unreadableKind, 0, variant));
            }

            return group.ToArray();
        });

    /// <summary>The run's bytes once its first seq is known (copies resolved to their original's bytes).</summary>
    public static IReadOnlyList<FuzzMessage> Materialize(IReadOnlyList<InputTemplate> templates, long first)
    {
        var rendered = new FuzzMessage?[templates.Count];
        FuzzMessage Render(int i)
        {
            if (rendered[i] is { } done)
            {
                return done;
            }

            var t = templates[i];
            if (t.CopyOf is { } original)
            {
                // A copy names an index among the run's originals; resolve it through the shuffled order.
                var source = Render(IndexOfOriginal(templates, original));
                return rendered[i] = source with { Index = i };
            }

            var seq = first + t.RelativeSeq;
            var claims = InputCatalogue.ClaimsSeq(t.Kind);
            return rendered[i] = new FuzzMessage(i, InputCatalogue.Render(t.Kind, seq, t.Variant), t.Kind, claims ? seq : null,
                InputCatalogue.Reason(t.Kind), t.Kind == InputKind.Valid ? InputCatalogue.Payload(seq, t.Variant) : null);
        }

        return [.. Enumerable.Range(0, templates.Count).Select(Render)];
    }

    /// <summary>The <paramref name="n"/>-th template that is not a copy, in the run's order.</summary>
    private static int IndexOfOriginal(IReadOnlyList<InputTemplate> templates, int n)
    {
        var originals = templates.Select((t, i) => (t, i)).Where(x => x.t.CopyOf is null).Select(x => x.i).ToList();
        return originals[n % originals.Count];
    }

    /// <summary>How many consecutive seqs a run covers.</summary>
    public static int SeqCount(IReadOnlyList<InputTemplate> templates) =>
        templates.Where(t => t.CopyOf is null && InputCatalogue.ClaimsSeq(t.Kind)).Select(t => t.RelativeSeq).DefaultIfEmpty(-1).Max() + 1;
}
