using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadSuites.Idle;

/// <summary>
/// idle: the whole lab (both pipelines, every service) with no load for a duration (default 30 s), and the CPU each of its
/// resources uses meanwhile, from /proc. The budget: all QueueLab services together at most 15% of one core (no busy
/// polling: blocking reads and Pub/Sub instead). The servers' share is reported beside it, not budgeted. The runner only
/// ticks once a second to keep the run's clock; it sends nothing.
/// </summary>
public sealed class IdleSuite : ISuite
{
    /// <summary>The services' budget, in percent of one core.</summary>
    public const double BudgetPercentOfCore = 15;

    private static readonly string[] Services =
        [ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.Consumer, ResourceNames.Publisher, ResourceNames.Coordinator];

    private static readonly string[] Servers = [ResourceNames.Cache, ResourceNames.Messaging, ResourceNames.Postgres, ResourceNames.Etcd];

    public string Name => "idle";

    public LabProfile Profile(SuiteOptions options) => new([], [.. Services, .. Servers], []);

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        if (lab.ProcessIds is null)
        {
            throw new UsageException(
                "idle reads the lab's processes from /proc: let the run start a lab of its own (--apphost, as ./queuelab bench does) or run it beside a ./queuelab run lab of this machine, without connection strings.");
        }

        var duration = options.Duration ?? TimeSpan.FromSeconds(30);
        // What this lab runs (a lab of one pipeline has no consumers, or no processors): only those are measured and listed.
        var services = Services.Where(r => Runs(lab, r)).ToArray();
        var servers = Servers.Where(r => Runs(lab, r)).ToArray();
        var cpu = CpuProfile.Start(lab, [.. services, .. servers]);
        var scenario = Scenario.Create(Name, static (_, _) => StepResult.OkTask())
            .WithLoadSimulations(Simulation.Inject(1, TimeSpan.FromSeconds(1), duration));
        var run = await ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            DispatchOnThreadPool = false,
            Progress = options.Progress,
            Output = options.Output,
        }, cancellationToken).ConfigureAwait(false);
        var profile = cpu.Stop();

        double PercentOfCore(IEnumerable<string> resources) =>
            profile.Usage.Where(u => resources.Contains(u.Resource)).Sum(u => u.CpuSeconds) / profile.Wall.TotalSeconds * 100;

        var servicesPercent = PercentOfCore(services);
        var serversPercent = PercentOfCore(servers);
        var result = run
            .WithMetric("services_percent_of_core", Math.Round(servicesPercent, 2))
            .WithMetric("servers_percent_of_core", Math.Round(serversPercent, 2))
            .EvaluateThresholds([Threshold.Metric("services_percent_of_core", v => v <= BudgetPercentOfCore,
                $"QueueLab services <= {Fmt.N(BudgetPercentOfCore)}% of one core")]);

        var figures = new List<(string, string)>
        {
            ("settings", $"no load for {Fmt.Seconds(duration)}; the lab's own settings (both pipelines unless --set says otherwise)"),
            ("QueueLab services together", $"{Fmt.N(servicesPercent, "0.0")}% of one core (budget {Fmt.N(BudgetPercentOfCore)}%)"),
        };
        figures.AddRange(profile.Usage.Where(u => services.Contains(u.Resource))
            .Select(u => ($"  {u.Resource} (every replica and its launcher)", $"{Fmt.N(PercentOfCore([u.Resource]), "0.0")}% of one core")));
        figures.Add(("servers together", $"{Fmt.N(serversPercent, "0.0")}% of one core"));
        figures.AddRange(profile.Usage.Where(u => servers.Contains(u.Resource))
            .Select(u => ($"  {u.Resource}", $"{Fmt.N(PercentOfCore([u.Resource]), "0.0")}% of one core")));
        figures.Add(("CPU during the run", CpuProfile.Describe(profile)));
        if (Launchers.Measure(lab, services) is { Count: > 0 } launchers)
        {
            figures.Add(("`dotnet run` launchers", launchers.Describe()));
        }

        return new SuiteOutcome(result, figures,
            ["each service's figure counts all of its replicas and their `dotnet run` launchers (their child processes included)",
                "Aspire runs every project resource under a `dotnet run` launcher that stays for the service's lifetime; docs/benchmarks.md says why the lab keeps them"],
            new Dictionary<string, string>());
    }

    private static bool Runs(LabConnections lab, string resource)
    {
        try
        {
            return lab.ProcessIds!(resource).Count > 0;
        }
        catch (InvalidOperationException)
        {
            // Not a resource of this lab.
            return false;
        }
    }
}
