namespace QueueLab.ChaosTests;

/// <summary>
/// The long profile (<c>QUEUELAB_CHAOS=long</c>; skipped, and reported as skipped, otherwise): a random sequence of the
/// pipeline's faults drawn from a printed seed, one per run, each run checked like the CI scenarios. Replay a failure
/// with the seed it printed: <c>QUEUELAB_CHAOS=long QUEUELAB_CHAOS_SEED=N</c>.
/// </summary>
[Collection(OrderingChaosCollection.Name)]
public sealed class OrderingLongProfileTests(OrderingChaosFixture lab)
{
    [Fact]
    public async Task Pipeline_B_through_a_random_fault_schedule()
    {
        var profile = ChaosProfile.Current;
        Assert.SkipUnless(profile.IsLong, $"the long chaos profile runs with {ChaosProfile.ProfileVariable}=long");
        var schedule = FaultSchedule.Draw(profile.Seed, profile.Iterations, FaultSchedule.OrderingFaults);
        ChaosLog.Write($"pipeline B long profile: seed {profile.Seed}, {schedule.Count} faults: {string.Join(", ", schedule)}");
        for (var i = 0; i < schedule.Count; i++)
        {
            await lab.RestoreAsync();
            var fault = schedule[i];
            var result = await OrderedChaos.RunAsync(lab, $"long {i + 1}/{schedule.Count} (seed {profile.Seed}): {fault}", _ => FaultSchedule.Ordering[fault](lab));
            OrderingChaosTests.AssertExact(result);
        }

        await lab.RestoreAsync();
    }
}

[Collection(Phase3ChaosCollection.Name)]
public sealed class RabbitLongProfileTests(Phase3ChaosFixture lab)
{
    [Fact]
    public async Task Pipeline_A_phase_3_through_a_random_fault_schedule()
    {
        var profile = ChaosProfile.Current;
        Assert.SkipUnless(profile.IsLong, $"the long chaos profile runs with {ChaosProfile.ProfileVariable}=long");
        var schedule = FaultSchedule.Draw(profile.Seed, profile.Iterations, FaultSchedule.RabbitFaults);
        ChaosLog.Write($"pipeline A long profile: seed {profile.Seed}, {schedule.Count} faults: {string.Join(", ", schedule)}");
        for (var i = 0; i < schedule.Count; i++)
        {
            await lab.RestoreAsync();
            var fault = schedule[i];
            var result = await RabbitChaos.RunAsync(lab, $"long {i + 1}/{schedule.Count} (seed {profile.Seed}): {fault}", _ => FaultSchedule.Rabbit[fault](lab));
            RabbitChaosTests.AssertExactlyOnce(result);
        }

        await lab.RestoreAsync();
    }
}
