using QueueLab.Ordering.Contracts;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>
/// Holds what a fuzz run produced against the input contract: every message in exactly one place (the output once, in
/// seq order, or the dead letters once with its reason), every seq of the run decided by exactly one of the messages
/// that claim it (its result out, or its seq skipped), and every other claimer a <c>duplicate-seq</c>.
/// </summary>
public sealed record FuzzVerdict(IReadOnlyList<string> Violations)
{
    public bool Passed => Violations.Count == 0;

    public override string ToString() => Passed ? "exact" : string.Join("\n", Violations.Take(30));

    /// <param name="messages">What was pushed.</param>
    /// <param name="first">The run's first seq; the run covers <paramref name="count"/> consecutive seqs.</param>
    /// <param name="output">The output messages that came out during the run.</param>
    /// <param name="deadLetters">The dead-letter entries written during the run.</param>
    public static FuzzVerdict Check(IReadOnlyList<FuzzMessage> messages, long first, int count,
        IReadOnlyList<SequencedMessage> output, IReadOnlyList<DeadLetter> deadLetters)
    {
        var violations = new List<string>();
        var seqs = output.Select(m => m.Seq).ToList();
        for (var i = 1; i < seqs.Count; i++)
        {
            if (seqs[i] <= seqs[i - 1])
            {
                violations.Add($"output out of order or duplicated: seq {seqs[i]} after {seqs[i - 1]}");
            }
        }

        foreach (var stray in seqs.Where(s => s < first || s >= first + count))
        {
            violations.Add($"output holds seq {stray}, outside the run's seqs {first}..{first + count - 1}");
        }

        // What the dead letters must hold, as (reason, bytes, skipped) with multiplicity.
        var expected = new List<(string Reason, string Raw, bool Skipped)>();
        foreach (var m in messages.Where(m => m.ClaimSeq is null))
        {
            expected.Add((m.Reason!, Key(m.Raw), false));
        }

        var skippedEntries = deadLetters.Where(d => d.Skipped).ToList();
        for (var seq = first; seq < first + count; seq++)
        {
            var claimers = messages.Where(m => m.ClaimSeq == seq).ToList();
            var outs = output.Where(m => m.Seq == seq).ToList();
            var skips = skippedEntries.Where(d => d.Seq == seq).ToList();
            FuzzMessage? winner = null;
            if (outs.Count == 1 && skips.Count == 0)
            {
                winner = claimers.FirstOrDefault(c => c.Reason is null && c.Payload == outs[0].Payload);
                if (winner is null)
                {
                    violations.Add($"seq {seq} came out with payload '{outs[0].Payload}', which no valid message of that seq carries");
                }
            }
            else if (outs.Count == 0 && skips.Count == 1)
            {
                var raw = Key(skips[0].RawBytes());
                winner = claimers.FirstOrDefault(c => c.Reason is not null && Key(c.Raw) == raw);
                if (winner is null)
                {
                    violations.Add($"seq {seq} was skipped by a dead letter ({skips[0].Reason}) that no bad-body message of that seq matches");
                }
                else if (winner.Reason != skips[0].Reason)
                {
                    violations.Add($"seq {seq} was skipped as {skips[0].Reason}; the contract says {winner.Reason} for {winner.Kind}");
                }
            }
            else
            {
                violations.Add($"seq {seq}: {outs.Count} output messages and {skips.Count} skips (exactly one of the two must be 1, the other 0)");
            }

            var winnerTaken = false;
            foreach (var claimer in claimers)
            {
                if (winner is not null && !winnerTaken && Key(claimer.Raw) == Key(winner.Raw))
                {
                    winnerTaken = true;
                    if (winner.Reason is not null)
                    {
                        expected.Add((winner.Reason, Key(claimer.Raw), true));
                    }

                    continue;
                }

                expected.Add((DeadLetterReasons.DuplicateSeq, Key(claimer.Raw), false));
            }
        }

        var actual = deadLetters.Select(d => (d.Reason, Raw: Key(d.RawBytes()), d.Skipped)).ToList();
        foreach (var missing in Multiset.Subtract(expected, actual))
        {
            violations.Add($"missing dead letter: {missing.Reason} (skipped {missing.Skipped}) for {Show(missing.Raw)}");
        }

        foreach (var extra in Multiset.Subtract(actual, expected))
        {
            violations.Add($"unexpected dead letter: {extra.Reason} (skipped {extra.Skipped}) for {Show(extra.Raw)}");
        }

        return new FuzzVerdict(violations);
    }

    private static string Key(byte[] raw) => Convert.ToBase64String(raw);

    private static string Show(string key)
    {
        var bytes = Convert.FromBase64String(key);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.Length <= 80 ? $"'{text}'" : $"'{text[..80]}...' ({bytes.Length} bytes)";
    }
}
