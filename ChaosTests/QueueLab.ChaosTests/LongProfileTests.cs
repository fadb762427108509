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
    public async Task Pipeline_B_through_compound_fault_schedules_with_bad_input_mixed_in()
    {
        var profile = ChaosProfile.Current;
        Assert.SkipUnless(profile.IsLong, $"the long chaos profile runs with {ChaosProfile.ProfileVariable}=long");
        var schedules = CompoundSchedule.Draw(profile.Seed, profile.Iterations, FaultSchedule.OrderingLibrary);
        var report = new LongProfileReport("pipeline B", profile.Seed, profile.ReplayCommand);
        ChaosLog.Write($"pipeline B long profile: seed {profile.Seed}, {schedules.Count} iterations");
        for (var i = 0; i < schedules.Count; i++)
        {
            await lab.RestoreAsync();
            var (faults, violations) = await OrderedLongIteration.RunAsync(lab, i + 1, profile.Seed, schedules[i]);
            report.Add(schedules[i], faults, violations, OrderedLongIteration.BadMessages, OrderedLongIteration.BadMessages - violations.Count(v => v.StartsWith("a bad message", StringComparison.Ordinal)));
        }

        await lab.RestoreAsync();
        ChaosLog.Write(report.Render());
        report.Violations.ShouldBeEmpty();
    }
}

[Collection(Phase3ChaosCollection.Name)]
public sealed class RabbitLongProfileTests(Phase3ChaosFixture lab)
{
    [Fact]
    public async Task Pipeline_A_phase_3_through_compound_fault_schedules_with_bad_input_mixed_in()
    {
        var profile = ChaosProfile.Current;
        Assert.SkipUnless(profile.IsLong, $"the long chaos profile runs with {ChaosProfile.ProfileVariable}=long");
        var schedules = CompoundSchedule.Draw(profile.Seed, profile.Iterations, FaultSchedule.RabbitLibrary);
        var report = new LongProfileReport("pipeline A, phase 3", profile.Seed, profile.ReplayCommand);
        ChaosLog.Write($"pipeline A long profile: seed {profile.Seed}, {schedules.Count} iterations");
        for (var i = 0; i < schedules.Count; i++)
        {
            await lab.RestoreAsync();
            var (faults, violations) = await RabbitLongIteration.RunAsync(lab, i + 1, profile.Seed, schedules[i]);
            report.Add(schedules[i], faults, violations, HostileDeliveries.For("x").Count, HostileDeliveries.For("x").Count - violations.Count(v => v.Contains("was not dead-lettered", StringComparison.Ordinal)));
        }

        await lab.RestoreAsync();
        ChaosLog.Write(report.Render());
        report.Violations.ShouldBeEmpty();
    }
}
