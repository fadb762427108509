using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Resources;
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

    /// <summary>The resources that must be healthy before the collection's tests run.</summary>
    protected virtual IEnumerable<string> ResourcesToAwait => [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Etcd];

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        // No dashboard runs under the testing builder: the services get no OTLP endpoint (nothing would listen on it).
        string[] args = [$"QueueLab:StateDir={StateDirectory}", "QueueLab:Infrastructure=local", "QueueLab:Telemetry:Export=false", .. Arguments];
        var builder = await DistributedApplicationTestingBuilder
            .CreateAsync<Projects.QueueLab_AppHost>(args, cts.Token)
            .ConfigureAwait(false);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        _app = await builder.BuildAsync(cts.Token).ConfigureAwait(false);
        try
        {
            await _app.StartAsync(cts.Token).ConfigureAwait(false);
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
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
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
}
