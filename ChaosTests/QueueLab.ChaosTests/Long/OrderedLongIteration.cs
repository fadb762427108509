using System.Collections.Concurrent;
using QueueLab.ChaosTests.Fuzz;
using QueueLab.Ordering.Contracts;
using StackExchange.Redis;

namespace QueueLab.ChaosTests.Long;

/// <summary>
/// One long-profile iteration of pipeline B: the chaos run (600 messages at 100/s, the invariant checker over its
/// output) with a compound fault schedule injected once 30% of the output is out, and, alongside the faults, bad messages
/// of every class the parser refuses without claiming a seq (so they cannot take a seq of the run) pushed into the
/// input. Afterwards each of them must be in the dead letters exactly once with its reason, and nothing else may be.
/// </summary>
public static class OrderedLongIteration
{
    public const int BadMessages = 12;

    public static async Task<(IReadOnlyList<FaultOutcome> Faults, IReadOnlyList<string> Violations)> RunAsync(
        OrderingChaosFixture lab, int iteration, int seed, CompoundSchedule schedule)
    {
        var random = new Random(HashCode.Combine(seed, iteration));
        var deadBefore = await lab.Client.Db.ListLengthAsync(lab.Client.Keys.DeadLetter).ConfigureAwait(false);
        var bad = Enumerable.Range(0, BadMessages)
            .Select(i => InputCatalogue.UnreadableKinds[random.Next(InputCatalogue.UnreadableKinds.Count)])
            .Select((kind, i) => (Kind: kind, Raw: InputCatalogue.Render(kind, 1_000_000_000L + (iteration * 100) + i, random.Next(1000))))
            .ToList();
        IReadOnlyList<FaultOutcome> notApplied = [];
        IReadOnlyList<byte[]> resent = [];
        var result = await OrderedChaos.RunAsync(lab, $"long {iteration} (seed {seed}): {schedule}", async marks =>
        {
            var applying = schedule.ApplyAsync(FaultSchedule.OrderingLibrary, lab, marks.Add);
            var pushing = PushBadAsync(lab, bad);
            await Task.WhenAll(applying, pushing).ConfigureAwait(false);
            notApplied = await applying.ConfigureAwait(false);
            resent = await pushing.ConfigureAwait(false);
        }).ConfigureAwait(false);

        // A leader fault that stalled the output longer than a failover should is shown with what the sequencers said.
        foreach (var (fault, at, recovery) in result.Faults.Where(f => f.Fault.Contains("-leader:", StringComparison.Ordinal) && f.Recovery.LongestStall > TimeSpan.FromSeconds(2)))
        {
            ChaosLog.Write($"long {iteration}: {fault} stalled {recovery.LongestStall.TotalMilliseconds:0} ms from {at:HH:mm:ss.fff}; the sequencers said:\n" +
                           string.Join('\n', result.SequencerLog.TakeLast(120)));
        }

        var violations = new List<string>();
        if (!result.Invariants.Passed)
        {
            violations.Add($"{result.Invariants.Summary.Lost} lost, {result.Invariants.Summary.Duplicated} duplicated, {result.Invariants.Summary.Reordered} reordered, " +
                           $"{result.Invariants.Summary.Unexpected} unexpected; {result.State}");
        }

        await lab.Client.WaitIdleAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        // A push the load sent again after a dropped connection may have landed twice: the identical second copy is
        // dead-lettered as duplicate-seq, as the input contract says, and is not a violation.
        var retried = result.RetriedPushes.ToHashSet();
        var dead = (await lab.Client.DeadLettersAsync(deadBefore).ConfigureAwait(false))
            .Where(d => !(d.Reason == DeadLetterReasons.DuplicateSeq && d.Seq is { } seq
                && retried.Contains(d.Key is { } key ? QueueLab.Ordering.OrderingKeys.IdOf(key, seq) : seq.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var expected = bad.Select(b => (Reason: InputCatalogue.Reason(b.Kind)!, Raw: Convert.ToBase64String(b.Raw))).ToList();
        var actual = dead.Select(d => (d.Reason, Raw: Convert.ToBase64String(d.RawBytes()))).ToList();
        foreach (var missing in Multiset.Subtract(expected, actual))
        {
            violations.Add($"a bad message was not dead-lettered once with {missing.Reason}");
        }

        // A bad message pushed again after an error may be in the input twice: its second dead letter is its second copy's.
        var mayRepeat = resent.Select(raw => bad.First(b => b.Raw.SequenceEqual(raw)))
            .Select(b => (Reason: InputCatalogue.Reason(b.Kind)!, Raw: Convert.ToBase64String(b.Raw)));
        foreach (var extra in Multiset.Subtract(actual, [.. expected, .. mayRepeat]))
        {
            violations.Add($"an unexpected dead letter: {extra.Reason} ({dead.First(d => Convert.ToBase64String(d.RawBytes()) == extra.Raw).Detail})");
        }

        var applied = result.Faults.Select(f => new FaultOutcome(f.Fault[..f.Fault.IndexOf(':', StringComparison.Ordinal)], schedule.Shape, Applied: true, f.Fault, f.Recovery));
        return ([.. applied, .. notApplied], violations);
    }

    /// <summary>Pushes the bad messages, spread over the run; returns the ones pushed again after an error (the first
    /// attempt may have landed too: then two identical bad messages went in, and each is dead-lettered).</summary>
    private static async Task<IReadOnlyList<byte[]>> PushBadAsync(OrderingChaosFixture lab, IReadOnlyList<(InputKind Kind, byte[] Raw)> bad)
    {
        var resent = new List<byte[]>();
        foreach (var (_, raw) in bad)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await lab.Client.Db.ListRightPushAsync(lab.Client.Keys.Input, raw).ConfigureAwait(false);
                    if (attempt > 1)
                    {
                        resent.Add(raw);
                    }

                    break;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(25)).ConfigureAwait(false); // retry pacing while Redis is unreachable
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(150)).ConfigureAwait(false); // spread over the run: the schedule's pacing
        }

        return resent;
    }
}
