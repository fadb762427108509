using System.Collections.Concurrent;

namespace QueueLab.ChaosTests.Long;

/// <summary>
/// One long-profile iteration of pipeline A in phase 3: the chaos run (500 messages at 100/s through the publisher,
/// exactly once per routed queue, every final state stored) with a compound fault schedule once 30% is processed, and
/// hostile deliveries published alongside the faults, each of which must be dead-lettered exactly once with its reason.
/// </summary>
public static class RabbitLongIteration
{
    public static async Task<(IReadOnlyList<FaultOutcome> Faults, IReadOnlyList<string> Violations)> RunAsync(
        RabbitChaosFixture lab, int iteration, int seed, CompoundSchedule schedule)
    {
        var run = $"long{seed}-{iteration}-{Guid.NewGuid():N}"[..28];
        var hostile = HostileDeliveries.For(run);
        var applied = new ConcurrentBag<string>();
        var notApplied = new ConcurrentBag<FaultOutcome>();
        var library = FaultSchedule.RabbitLibrary.ToDictionary(f => f.Name);

        var result = await RabbitChaos.RunAsync(lab, $"long {iteration} (seed {seed}): {schedule}", async _ =>
        {
            var faults = schedule.Faults.Select(async f =>
            {
                if (f.After > TimeSpan.Zero)
                {
                    await Task.Delay(f.After).ConfigureAwait(false); // the schedule's own offset, not a wait for a condition
                }

                try
                {
                    applied.Add($"{f.Name}: {await library[f.Name].Inject(lab).ConfigureAwait(false)}");
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException or StackExchange.Redis.RedisException or HttpRequestException)
                {
                    notApplied.Add(new FaultOutcome(f.Name, schedule.Shape, Applied: false, ex.Message, null));
                }
            });
            await Task.WhenAll([.. faults, HostileDeliveries.PublishAsync(lab.Probe.Broker, hostile)]).ConfigureAwait(false);
            return string.Join("; ", applied);
        }).ConfigureAwait(false);

        var violations = new List<string>();
        var s = result.Summary;
        if (!result.Invariants.Passed || result.MissingFinalStates > 0)
        {
            violations.Add($"{s.Lost} lost, {s.Duplicated} duplicated, {s.Unexpected} unexpected, {result.MissingFinalStates} final states missing");
        }

        var dead = await Poll.ForAsync(() => HostileDeliveries.DrainAsync(lab.Probe.Broker, run), d => d.Count >= hostile.Count,
            TimeSpan.FromSeconds(60), "the hostile deliveries are dead-lettered").ConfigureAwait(false);
        foreach (var missing in Multiset.Subtract(hostile.Select(h => (h.Tag, (string?)h.Reason)), dead))
        {
            violations.Add($"{missing.Item1} was not dead-lettered once with {missing.Item2}");
        }

        foreach (var extra in Multiset.Subtract(dead, hostile.Select(h => (h.Tag, (string?)h.Reason))))
        {
            violations.Add($"an unexpected dead letter: {extra.Item1} ({extra.Item2})");
        }

        // One stall per iteration (the run measures from the schedule's start): each applied fault is credited with it.
        var recovery = result.Faults.FirstOrDefault().Recovery;
        var outcomes = applied.Select(a => new FaultOutcome(a[..a.IndexOf(':', StringComparison.Ordinal)], schedule.Shape, Applied: true, a, recovery));
        return ([.. outcomes, .. notApplied], violations);
    }
}
