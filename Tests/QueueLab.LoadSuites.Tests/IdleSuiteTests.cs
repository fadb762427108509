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

        // The lab's 3 processors and 2 sequencers each run under a `dotnet run` launcher, found and measured.
        var launchers = outcome.Figures.Single(f => f.Name == "`dotnet run` launchers").Value;
        launchers.ShouldStartWith("5 launchers, ");
        launchers.ShouldNotContain(" 0 MB resident together");
    }

    [Theory]
    [InlineData("dotnet run --project /work/Services/Processor/QueueLab.Processor.csproj --no-build --configuration Debug --no-launch-profile", true)]
    [InlineData("/work/Services/Processor/bin/Debug/net10.0/QueueLab.Processor", false)]
    [InlineData("dotnet exec /work/Services/Processor/bin/Debug/net10.0/QueueLab.Processor.dll run", false)]
    public void A_launcher_is_told_from_the_service_it_runs(string commandLine, bool launcher) =>
        QueueLab.LoadSuites.Labs.Launchers.IsLauncher(commandLine).ShouldBe(launcher);
}
