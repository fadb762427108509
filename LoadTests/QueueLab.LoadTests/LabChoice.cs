using QueueLab.Lab.Hosting;
using QueueLab.Lab.Processes;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadTests;

/// <summary>
/// The lab a command-line run uses: the running lab its connection strings name; else a lab of its own (the AppHost given
/// by <c>--apphost</c>, started with the suite's settings and stopped at the end); else the running lab of the state folder.
/// </summary>
public sealed class LabChoice : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A lab at rest: all its processes together under a quarter of a core (the whole default lab at rest measured 0.15 cores, a pipeline B lab 0.07-0.23).</summary>
    private const double SettleCores = 0.25;

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);
    private readonly LabProcess? _own;

    private LabChoice(SuiteOptions options, LabConnections lab, LabProcess? own)
    {
        Options = options;
        Lab = lab;
        _own = own;
    }

    public SuiteOptions Options { get; }

    public LabConnections Lab { get; }

    public static async Task<LabChoice> OpenAsync(SuiteOptions options, CancellationToken cancellationToken)
    {
        if (options.LabSettings.Count > 0 && (options.UsesRunningLab || options.AppHost is null))
        {
            throw new UsageException(
                $"--set {options.LabSettings[0]}: settings apply to a lab the run starts itself (--apphost, as ./queuelab bench does); a running lab keeps its own.");
        }

        if (options.UsesRunningLab)
        {
            return new LabChoice(options, new LabConnections(options.ConnectionStrings, startedBySuite: false), null);
        }

        if (options.AppHost is { } appHost)
        {
            var profile = SuiteCatalog.Find(options.Suite).Profile(options);
            await options.Out.WriteLineAsync($"starting a lab: {string.Join(" ", [.. profile.AppHostSettings, .. options.LabSettings])}").ConfigureAwait(false);
            var own = await LabProcess.StartAsync(appHost, [.. profile.AppHostSettings, .. options.LabSettings], StartTimeout, cancellationToken).ConfigureAwait(false);
            await options.Out.WriteLineAsync($"lab up (AppHost pid {own.ProcessId}, state {own.StateDirectory})").ConfigureAwait(false);
            // Healthy is not finished starting: let the servers' and replicas' start-up end before anything is measured.
            var settle = await LabSettle.WaitAsync(own.ProcessId, SettleCores, SettleTimeout, cancellationToken).ConfigureAwait(false);
            await options.Out.WriteLineAsync(settle.Describe()).ConfigureAwait(false);
            return new LabChoice(options, Connections(own.Lab, startedBySuite: true), own);
        }

        var state = LabFile.StateDirectory(options.StateDirectory, Directory.GetCurrentDirectory());
        var path = state is null ? null : Path.Combine(state, LabFile.FileName);
        if (path is null || LabFile.Read(path) is not { } file || !file.IsAlive)
        {
            throw new UsageException(
                $"no running lab{(path is null ? "" : $" at {path}")}: start one with ./queuelab run, let the suite start its own with " +
                "--apphost AppHost/bin/Release/net10.0/QueueLab.AppHost.dll (./queuelab bench does), or give connection strings.");
        }

        await options.Out.WriteLineAsync($"using the running lab of {state} ({file.Setup.Ordering.Describe()}; pipeline A {file.Setup.Rabbit.Describe()})").ConfigureAwait(false);
        return new LabChoice(options.WithLabShape(file.Setup), Connections(file, startedBySuite: false), null);
    }

    private static LabConnections Connections(LabFile file, bool startedBySuite) =>
        new(file.ConnectionStrings, startedBySuite) { Setup = file.Setup, ProcessIds = ResourceProcesses.Under(file.AppHostProcessId) };

    public async ValueTask DisposeAsync()
    {
        if (_own is not null)
        {
            await Options.Out.WriteLineAsync("stopping the lab").ConfigureAwait(false);
            await _own.DisposeAsync().ConfigureAwait(false);
        }
    }
}
