using Shouldly;

namespace QueueLab.ChaosTests;

public sealed class ChaosProfileTests
{
    [Fact]
    public void The_ci_profile_is_the_default()
    {
        var profile = ChaosProfile.Read(_ => null);

        profile.Name.ShouldBe("ci");
        profile.IsLong.ShouldBeFalse();
        profile.RunsClusters.ShouldBeFalse();
        profile.Iterations.ShouldBe(100);
    }

    [Theory]
    [InlineData("cluster", true, false)]
    [InlineData("long", true, true)]
    [InlineData("ci", false, false)]
    public void The_cluster_scenarios_run_in_the_cluster_and_long_profiles(string name, bool clusters, bool iterations)
    {
        var profile = ChaosProfile.Read(variable => variable == "QUEUELAB_CHAOS" ? name : null);

        (profile.RunsClusters, profile.IsLong).ShouldBe((clusters, iterations));
    }

    [Fact]
    public void The_long_profile_takes_its_seed_and_iterations_from_the_environment()
    {
        var values = new Dictionary<string, string> { ["QUEUELAB_CHAOS"] = "long", ["QUEUELAB_CHAOS_SEED"] = "1234", ["QUEUELAB_CHAOS_ITERATIONS"] = "7" };
        var profile = ChaosProfile.Read(name => values.GetValueOrDefault(name));

        (profile.Name, profile.Seed, profile.Iterations).ShouldBe(("long", 1234, 7));
    }

    [Theory]
    [InlineData("QUEUELAB_CHAOS", "forever", "use ci (the default), cluster or long")]
    [InlineData("QUEUELAB_CHAOS_SEED", "abc", "use a whole number")]
    [InlineData("QUEUELAB_CHAOS_ITERATIONS", "0", "above 0")]
    public void A_bad_setting_says_what_to_use(string variable, string value, string advice)
    {
        Should.Throw<InvalidOperationException>(() => ChaosProfile.Read(name => name == variable ? value : null))
            .Message.ShouldContain(advice);
    }

    [Fact]
    public void The_same_seed_draws_the_same_compound_schedules_and_two_faults_never_share_a_target()
    {
        var first = Long.CompoundSchedule.Draw(42, 200, FaultSchedule.OrderingLibrary);
        var again = Long.CompoundSchedule.Draw(42, 200, FaultSchedule.OrderingLibrary);
        var other = Long.CompoundSchedule.Draw(43, 200, FaultSchedule.OrderingLibrary);

        again.Select(s => s.ToString()).ShouldBe(first.Select(s => s.ToString()));
        other.Select(s => s.ToString()).ShouldNotBe(first.Select(s => s.ToString()));
        first.Count.ShouldBe(200);
        first.Select(s => s.Shape).Distinct().Order(StringComparer.Ordinal).ToList().ShouldBe(
            [Long.CompoundSchedule.DuringRecovery, Long.CompoundSchedule.Single, Long.CompoundSchedule.Together], "every shape is drawn");
        first.Where(s => s.Faults.Count == 2).ShouldAllBe(s => s.Faults[0].Target != s.Faults[1].Target);
        first.Where(s => s.Shape == Long.CompoundSchedule.DuringRecovery)
            .ShouldAllBe(s => s.Faults[1].After >= TimeSpan.FromMilliseconds(300) && s.Faults[1].After < TimeSpan.FromSeconds(2));
        first.SelectMany(s => s.Faults).Select(f => f.Name).Distinct().Count().ShouldBe(FaultSchedule.OrderingLibrary.Count, "the whole library is drawn from");
    }

    [Fact]
    public void The_report_gives_the_stall_distribution_per_fault_and_counts_violations()
    {
        var report = new Long.LongProfileReport("pipeline B", 7, "replay");
        var schedule = new Long.CompoundSchedule(Long.CompoundSchedule.Single, [new Long.ScheduledFault("kill-leader", "sequencer", TimeSpan.Zero)]);
        foreach (var ms in new[] { 800, 900, 1200 })
        {
            report.Add(schedule, [new Long.FaultOutcome("kill-leader", schedule.Shape, true, "",
                new QueueLab.Lab.Measures.RecoveryStats(TimeSpan.FromMilliseconds(ms), null, 100, 10))], [], 12, 12);
        }

        report.Add(schedule, [new Long.FaultOutcome("kill-leader", schedule.Shape, false, "no leader", null)], ["1 lost"], 12, 12);

        var text = report.Render();
        text.ShouldContain("| kill-leader | 3 | 1 | 900 ms | 1200 ms | 1200 ms |");
        text.ShouldContain("Invariant violations: **1**");
        report.Violations.ShouldHaveSingleItem().ShouldContain("1 lost");
    }
}
