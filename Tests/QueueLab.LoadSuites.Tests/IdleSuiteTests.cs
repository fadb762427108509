namespace QueueLab.LoadSuites.Tests;

/// <summary>The idle suite, short, on the overhead lab (pipeline B only): it finds the services' processes and measures them.</summary>
[Collection(OverheadCollection.Name)]
public sealed class IdleSuiteTests(OverheadFixture lab)
{
    [Fact]
    public async Task Idle_measures_each_running_services_cpu_and_reports_the_budget()
    {
        var outcome = await SuiteRuns.RunAsync("idle", OverheadFixture.Options with { Suite = "idle", Duration = TimeSpan.FromSeconds(3) }, lab.Lab);

        // The processors and sequencers heartbeat and renew their lease even with no load: a profile that cannot find them reads 0.
        outcome.Metric("services_percent_of_core").ShouldBeGreaterThan(0);
        outcome.Result.Thresholds.ShouldContain(t => t.Description.Contains("15% of one core"));
        outcome.Figures.ShouldContain(f => f.Name.Contains(ResourceNames.Processor) && !f.Value.StartsWith("0.0%"));
    }
}
