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
        var notApplied = new ConcurrentBag<FaultOutcome>();
        var library = FaultSchedule.OrderingLibrary.ToDictionary(f => f.Name);

        var result = await OrderedChaos.RunAsync(lab, $"long {iteration} (seed {seed}): {schedule}", async marks =>
        {
            var faults = schedule.Faults.Select(async f =>
            {
                if (f.After > TimeSpan.Zero)
                {
                    await Task.Delay(f.After).ConfigureAwait(false); // the schedule's own offset, not a wait for a condition
                }

                var at = DateTimeOffset.UtcNow;
                try
                {
                    marks.Add($"{f.Name}: {await library[f.Name].Inject(lab).ConfigureAwait(false)}", at);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or RedisException or Npgsql.NpgsqlException)
                {
                    // The other fault of the schedule took this one's target away (a leader that is gone, a server that is down).
                    notApplied.Add(new FaultOutcome(f.Name, schedule.Shape, Applied: false, ex.Message, null));
                }
            });
            await Task.WhenAll([.. faults, PushBadAsync(lab, bad)]).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var violations = new List<string>();
        if (!result.Invariants.Passed)
        {
            violations.Add($"{result.Invariants.Summary.Lost} lost, {result.Invariants.Summary.Duplicated} duplicated, {result.Invariants.Summary.Reordered} reordered, " +
                           $"{result.Invariants.Summary.Unexpected} unexpected; {result.State}");
        }

        await lab.Client.WaitIdleAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var dead = await lab.Client.DeadLettersAsync(deadBefore).ConfigureAwait(false);
        var expected = bad.Select(b => (Reason: InputCatalogue.Reason(b.Kind)!, Raw: Convert.ToBase64String(b.Raw))).ToList();
        var actual = dead.Select(d => (d.Reason, Raw: Convert.ToBase64String(d.RawBytes()))).ToList();
        foreach (var missing in Multiset.Subtract(expected, actual))
        {
            violations.Add($"a bad message was not dead-lettered once with {missing.Reason}");
        }

        foreach (var extra in Multiset.Subtract(actual, expected))
        {
            violations.Add($"an unexpected dead letter: {extra.Reason} ({dead.First(d => Convert.ToBase64String(d.RawBytes()) == extra.Raw).Detail})");
        }

        var applied = result.Faults.Select(f => new FaultOutcome(f.Fault[..f.Fault.IndexOf(':', StringComparison.Ordinal)], schedule.Shape, Applied: true, f.Fault, f.Recovery));
        return ([.. applied, .. notApplied], violations);
    }

    /// <summary>Pushes the bad messages one by one over about two seconds; a push that fails (Redis restarting) is tried
    /// again, as a producer would.</summary>
    private static async Task PushBadAsync(OrderingChaosFixture lab, IReadOnlyList<(InputKind Kind, byte[] Raw)> bad)
    {
        foreach (var (_, raw) in bad)
        {
            await Poll.UntilAsync(async () =>
            {
                await lab.Client.Db.ListRightPushAsync(lab.Client.Keys.Input, raw).ConfigureAwait(false);
                return true;
            }, TimeSpan.FromMinutes(2), "a bad message is pushed (Redis answers)").ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(150)).ConfigureAwait(false); // spread over the run: the schedule's pacing
        }
    }
}
