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
        IReadOnlyList<FaultOutcome> notApplied = [];
        IReadOnlyList<string> resent = [];
        var result = await RabbitChaos.RunAsync(lab, $"long {iteration} (seed {seed}): {schedule}", async _ =>
        {
            var applying = schedule.ApplyAsync(FaultSchedule.RabbitLibrary, lab, (fault, _) => applied.Add(fault));
            var publishing = HostileDeliveries.PublishAsync(lab.Probe.Broker, hostile);
            await Task.WhenAll(applying, publishing).ConfigureAwait(false);
            notApplied = await applying.ConfigureAwait(false);
            resent = await publishing.ConfigureAwait(false);
            return string.Join("; ", applied);
        }).ConfigureAwait(false);

        var violations = new List<string>();
        var s = result.Summary;
        if (!result.Invariants.Passed || result.MissingFinalStates > 0)
        {
            violations.Add($"{s.Lost} lost, {s.Duplicated} duplicated, {s.Unexpected} unexpected, {result.MissingFinalStates} final states missing");
        }

        // The dead-letter queue is drained as it is read: what each read takes adds up.
        var dead = new List<(string Tag, string? Reason, bool Redelivered)>();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                dead.AddRange(await HostileDeliveries.DrainAsync(lab.Probe.Broker, run).ConfigureAwait(false));
                return dead.Count >= hostile.Count;
            }, TimeSpan.FromSeconds(60), "the hostile deliveries are dead-lettered").ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported below as the ones missing, with the rest of the iteration's findings.
        }

        var expected = hostile.Select(h => (h.Tag, (string?)h.Reason)).ToList();
        var copies = dead.Select(d => (d.Tag, d.Reason)).ToList();
        foreach (var missing in Multiset.Subtract(expected, copies))
        {
            violations.Add($"{missing.Item1} was not dead-lettered once with {missing.Item2}");
        }

        // A delivery published again after an error may have reached the broker twice: each copy is dead-lettered.
        // A copy the consumer made from a redelivery it could not rule out as dead-lettered already (the log was down
        // when the broker gave the delivery back) says so: it may repeat one, as the dead-letter contract says.
        var mayRepeat = hostile.Where(h => resent.Contains(h.Tag)).Select(h => (h.Tag, (string?)h.Reason))
            .Concat(dead.Where(d => d.Redelivered).Select(d => (d.Tag, d.Reason)));
        foreach (var extra in Multiset.Subtract(copies, [.. expected, .. mayRepeat]))
        {
            violations.Add($"an unexpected dead letter: {extra.Item1} ({extra.Item2})");
        }

        // One stall per iteration (the run measures from the schedule's start): each applied fault is credited with it.
        var recovery = result.Faults.FirstOrDefault().Recovery;
        var outcomes = applied.Select(a => new FaultOutcome(a[..a.IndexOf(':', StringComparison.Ordinal)], schedule.Shape, Applied: true, a, recovery));
        return ([.. outcomes, .. notApplied], violations);
    }
}
