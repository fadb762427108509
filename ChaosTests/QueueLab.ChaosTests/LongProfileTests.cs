using QueueLab.ChaosTests.Long;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// The long profile (<c>QUEUELAB_CHAOS=long</c>; skipped, and reported as skipped, otherwise): <c>QUEUELAB_CHAOS_ITERATIONS</c>
/// iterations per pipeline, each a chaos run with a compound schedule drawn from a printed seed (one fault, two at once, or
/// a second one during the first one's recovery, from the pipeline's whole fault library) and bad input mixed into the
/// load. Every iteration goes through the invariant checker; the report (iterations, faults per kind, violations, the
/// stall distribution per fault kind) goes to reports/chaos. Replay with the seed it printed:
/// <c>QUEUELAB_CHAOS=long QUEUELAB_CHAOS_SEED=N</c>.
/// </summary>
[Collection(OrderingChaosCollection.Name)]
public sealed class OrderingLongProfileTests(OrderingChaosFixture lab)
{
    [Fact]
    public Task Pipeline_B_through_compound_fault_schedules_with_bad_input_mixed_in() =>
        LongProfile.RunAsync("pipeline B", FaultSchedule.OrderingLibrary, lab.RestoreAsync,
            (i, seed, schedule) => OrderedLongIteration.RunAsync(lab, i, seed, schedule),
            OrderedLongIteration.BadMessages, v => v.StartsWith("a bad message", StringComparison.Ordinal));
}

[Collection(Phase3ChaosCollection.Name)]
public sealed class RabbitLongProfileTests(Phase3ChaosFixture lab)
{
    [Fact]
    public Task Pipeline_A_phase_3_through_compound_fault_schedules_with_bad_input_mixed_in() =>
        LongProfile.RunAsync("pipeline A, phase 3", FaultSchedule.RabbitLibrary, lab.RestoreAsync,
            (i, seed, schedule) => RabbitLongIteration.RunAsync(lab, i, seed, schedule),
            HostileDeliveries.For("x").Count, v => v.Contains("was not dead-lettered", StringComparison.Ordinal));
}

/// <summary>One pipeline's long profile: the schedules drawn from the seed, each iteration on a restored lab, the report
/// written to the chaos log, and no invariant violation allowed.</summary>
internal static class LongProfile
{
    public static async Task RunAsync<TLab>(
        string pipeline, IReadOnlyList<FaultSpec<TLab>> library, Func<Task> restore,
        Func<int, int, CompoundSchedule, Task<(IReadOnlyList<FaultOutcome> Faults, IReadOnlyList<string> Violations)>> iterate,
        int badPerIteration, Func<string, bool> isBadNotDeadLettered)
    {
        var profile = ChaosProfile.Current;
        Assert.SkipUnless(profile.IsLong, $"the long chaos profile runs with {ChaosProfile.ProfileVariable}=long");
        var schedules = CompoundSchedule.Draw(profile.Seed, profile.Iterations, library);
        var report = new LongProfileReport(pipeline, profile.Seed, profile.ReplayCommand);
        ChaosLog.Write($"{pipeline} long profile: seed {profile.Seed}, {schedules.Count} iterations");
        for (var i = 0; i < schedules.Count; i++)
        {
            await restore();
            var (faults, violations) = await iterate(i + 1, profile.Seed, schedules[i]);
            report.Add(schedules[i], faults, violations, badPerIteration, badPerIteration - violations.Count(isBadNotDeadLettered));
        }

        await restore();
        ChaosLog.Write(report.Render());
        report.Violations.ShouldBeEmpty();
    }
}
