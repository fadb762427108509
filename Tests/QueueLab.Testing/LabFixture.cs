using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Processes;
using QueueLab.Lab.Resources;
using QueueLab.Lab.Telemetry;
using Xunit;

namespace QueueLab.Testing;

/// <summary>
/// Starts the QueueLab AppHost once for a test collection (real RabbitMQ, Redis, PostgreSQL and etcd, on random ports, in
/// a temporary state folder) and stops it, and deletes that folder, when the collection ends, whether its tests passed or
/// not. Derive to pass AppHost settings (<see cref="Arguments"/>), to wait for more resources (<see cref="ResourcesToAwait"/>)
/// and to get ready once the lab is up (<see cref="StartedAsync"/>: its own connections, readiness beyond health).
/// </summary>
public class LabFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public string StateDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "queuelab-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>When the lab's start returned (its servers and services were starting then).</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The lab has not started.");

    /// <summary>AppHost logging for labs that make servers unreachable or busy on purpose: only warnings, and no server
    /// output or failing health checks (expected there, not news), so a run's own output stays readable.</summary>
    public static readonly IReadOnlyList<string> QuietLogging =
    [
        "Logging:LogLevel:Default=Warning",
        "Logging:LogLevel:QueueLab.AppHost.Resources=None",
        "Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
    ];

    /// <summary>AppHost settings as <c>key=value</c> (for example <c>QueueLab:Pipelines=ordering</c>).</summary>
    protected virtual IEnumerable<string> Arguments => [];

    /// <summary>Whether the lab runs the Aspire dashboard (on random loopback ports) and its services export their
    /// telemetry to it, for tests that read traces back (<see cref="Telemetry"/>). Off by default: a lab without a
    /// dashboard is lighter, and its services export nothing.</summary>
    protected virtual bool Dashboard => false;

    private DashboardTelemetry? _telemetry;

    /// <summary>The dashboard's telemetry API (when <see cref="Dashboard"/> is on).</summary>
    public DashboardTelemetry Telemetry => _telemetry ?? throw new InvalidOperationException("This lab runs no dashboard.");

    /// <summary>The resources that must be healthy before the collection's tests run.</summary>
    protected virtual IEnumerable<string> ResourcesToAwait => [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Etcd];

    /// <summary>Why this lab does not start in this run (a lab behind a switch), or null when it does: its tests skip,
    /// reported as skipped, and no server is started for them.</summary>
    public virtual string? SkipReason => null;

    public async ValueTask InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(StartTimeout);
        // Without a dashboard the services get no OTLP endpoint (nothing would listen on it).
        string[] args = [$"QueueLab:StateDir={StateDirectory}", "QueueLab:Infrastructure=local", $"QueueLab:Telemetry:Export={Dashboard}", .. Arguments];
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<Projects.QueueLab_AppHost>(new DistributedApplicationTestingBuilderOptions { EnableDashboard = Dashboard }, args, cts.Token)
            .ConfigureAwait(false);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        _app = await builder.BuildAsync(cts.Token).ConfigureAwait(false);
        try
        {
            await _app.StartAsync(cts.Token).ConfigureAwait(false);
            StartedAt = DateTimeOffset.UtcNow;
            if (Dashboard)
            {
                var apiKey = _app.Services.GetRequiredService<IConfiguration>()["AppHost:DashboardApiKey"]
                    ?? throw new InvalidOperationException("The AppHost gave its dashboard no telemetry API key.");
                _telemetry = new DashboardTelemetry(await _app.GetDashboardUrlAsync(cts.Token).ConfigureAwait(false), apiKey);
            }

            foreach (var resource in ResourcesToAwait)
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token).ConfigureAwait(false);
            }

            await StartedAsync().ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs once the lab is up and the awaited resources are healthy: open connections, wait for readiness.</summary>
    protected virtual ValueTask StartedAsync() => ValueTask.CompletedTask;

    public async Task<string> GetConnectionStringAsync(string resourceName) =>
        await App.GetConnectionStringAsync(resourceName).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"{resourceName} has no connection string.");

    /// <summary>The lab's resources as the AppHost sees them (every instance, its state and process).</summary>
    public LabResources Resources => App.Services.GetRequiredService<LabResources>();

    /// <summary>The AppHost's fault library (processes, servers, the network proxies).</summary>
    public LabFaults Faults => App.Services.GetRequiredService<LabFaults>();

    public IResource GetResource(string name) =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        _telemetry?.Dispose();
        if (_app is not null)
        {
            // Every process this lab runs: its resources' trees, and anything else started on its state folder.
            IReadOnlyList<int> started = [];
            try
            {
                started = [.. Resources.ProcessOwners().Keys.Concat(ProcessTree.Matching(StateDirectory)).Distinct()];
            }
            catch (ObjectDisposedException)
            {
            }

            try
            {
                await _app.StopAsync().ConfigureAwait(false);
            }
            finally
            {
                await _app.DisposeAsync().ConfigureAwait(false);
                _app = null;
                await ReapAsync(started).ConfigureAwait(false);
            }
        }

        try
        {
            if (Directory.Exists(StateDirectory))
            {
                Directory.Delete(StateDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A server that is still flushing can hold a file for a moment; a leftover temp folder is harmless.
        }
    }

    /// <summary>Leave no process behind: the orchestrator stops them gracefully; whatever still runs after a grace period
    /// (a server that ignored its stop signal, a process an orchestrator left when it was itself stopped) is killed.</summary>
    private async Task ReapAsync(IReadOnlyList<int> started)
    {
        static IReadOnlyList<int> Alive(IEnumerable<int> pids) => [.. pids.Where(ProcessTree.IsAlive)];
        var survivors = Alive(started.Concat(ProcessTree.Matching(StateDirectory)).Distinct());
        var deadline = DateTime.UtcNow + ReapGrace;
        while (survivors.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            survivors = Alive(survivors);
        }

        if (survivors.Count > 0)
        {
            Console.Error.WriteLine($"LabFixture: {survivors.Count} process(es) still ran {ReapGrace.TotalSeconds:0} s after the lab stopped; killed: "
                + string.Join(", ", survivors.Select(pid => $"{pid} {ProcessTree.CommandLine(pid)}")));
            ProcessTree.KillAll(survivors.SelectMany(ProcessTree.Of).Distinct());
        }
    }

    /// <summary>How long the lab's processes get to exit after the orchestrator stopped them.</summary>
    public static readonly TimeSpan ReapGrace = TimeSpan.FromSeconds(15);
}
