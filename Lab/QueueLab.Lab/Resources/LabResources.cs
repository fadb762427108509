using System.Collections.Concurrent;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Lab.Resources;

/// <summary>
/// The lab's resources as Aspire sees them: every instance of every resource (the replicas of a project each have their
/// own), its state, health and process id from its latest snapshot, and the servers' connection strings. It follows the
/// resource notifications from the AppHost's start (the notification service replays every instance's latest snapshot to
/// a new watcher), so it is registered in the AppHost's services and created before the first resource starts.
/// </summary>
public sealed class LabResources : IAsyncDisposable
{
    public const string PidProperty = "executable.pid";

    private readonly ResourceNotificationService _notifications;
    private readonly DistributedApplicationModel _model;
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;

    public LabResources(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _notifications = services.GetRequiredService<ResourceNotificationService>();
        _model = services.GetRequiredService<DistributedApplicationModel>();
        _watching = WatchAsync(_stopping.Token);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var resourceEvent in _notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                _latest[resourceEvent.ResourceId] = resourceEvent;
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    public IResource Resource(string name) =>
        _model.Resources.SingleOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException(
            $"No resource '{name}' in this lab (it has {string.Join(", ", _model.Resources.Select(r => r.Name))}).");

    /// <summary>The nodes of a clustered server (the resources whose parent it is; none for a single server).</summary>
    public IReadOnlyList<IResource> Nodes(string server) => Resource(server).ClusterNodes();

    public bool Has(string name) => _model.Resources.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every instance of a resource (the replicas of a project), from their latest snapshots.</summary>
    public IReadOnlyList<Replica> Replicas(string resourceName)
    {
        var resource = Resource(resourceName);
        return [.. _latest.Values.Where(e => e.Resource == resource).OrderBy(e => e.ResourceId, StringComparer.Ordinal)
            .Select(e => Describe(e.ResourceId, resource.Name))];
    }

    /// <summary>The latest snapshot of every instance of a resource, by instance id.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> Snapshots(string resourceName) =>
        _latest.Values.Where(e => e.Resource.Name == resourceName).ToDictionary(e => e.ResourceId);

    /// <summary>
    /// The instance of <paramref name="resourceName"/> a service calls itself <paramref name="serviceInstanceId"/> (its
    /// <c>service.instance.id</c>, which services put in their lock tokens and registrations: the suffix of the Aspire
    /// instance id), or null.
    /// </summary>
    public Replica? ReplicaOf(string resourceName, string serviceInstanceId) =>
        Replicas(resourceName).FirstOrDefault(r => r.InstanceId == serviceInstanceId || r.InstanceId.EndsWith("-" + serviceInstanceId, StringComparison.Ordinal));

    /// <summary>The instance <paramref name="target"/> names: an instance id, or a resource's first running instance.</summary>
    public Replica Find(string target)
    {
        if (_latest.TryGetValue(target, out var instance))
        {
            return Describe(target, instance.Resource.Name);
        }

        var replicas = Replicas(target);
        return replicas.FirstOrDefault(r => r.IsRunning)
            ?? throw new InvalidOperationException($"No running instance of '{target}' ({string.Join(", ", replicas)}).");
    }

    /// <summary>The instance as its latest snapshot shows it now.</summary>
    public Replica Current(Replica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return Describe(replica.InstanceId, replica.ResourceName);
    }

    /// <summary>The process ids of the running instances of a resource (for a project: the launchers; the apps are their children).</summary>
    public IReadOnlyList<int> ProcessIds(string resourceName) =>
        [.. Replicas(resourceName).Where(r => r.IsRunning).Select(r => r.ProcessId).OfType<int>()];

    /// <summary>
    /// Every process the lab's resources run as, by process id, named by the resource instance it belongs to: each
    /// running instance's whole process tree (a server and whatever it spawned; for a project the <c>dotnet run</c>
    /// launcher and the app under it).
    /// </summary>
    public IReadOnlyDictionary<int, string> ProcessOwners()
    {
        var owners = new Dictionary<int, string>();
        foreach (var resourceEvent in _latest.Values.OrderBy(e => e.ResourceId, StringComparer.Ordinal))
        {
            if (resourceEvent.Snapshot.State?.Text == KnownResourceStates.Running && Pid(resourceEvent) is { } pid)
            {
                foreach (var process in Processes.ProcessTree.Of(pid))
                {
                    owners.TryAdd(process, resourceEvent.ResourceId);
                }
            }
        }

        return owners;
    }

    /// <summary>The process id in an instance's snapshot, if any.</summary>
    public static int? Pid(ResourceEvent resourceEvent)
    {
        ArgumentNullException.ThrowIfNull(resourceEvent);
        return resourceEvent.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } value
               && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var parsed) ? parsed : null;
    }

    /// <summary>The connection string of a server resource (fails saying why when it has none yet).</summary>
    public Task<string> ConnectionStringAsync(string resourceName, CancellationToken cancellationToken = default) =>
        ConnectionStringAsync(Resource(resourceName), cancellationToken);

    public static async Task<string> ConnectionStringAsync(IResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource is IResourceWithConnectionString withConnection
            ? await withConnection.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)
              ?? throw new InvalidOperationException($"{resource.Name} has no connection string yet; is it running?")
            : throw new InvalidOperationException($"{resource.Name} is not a server with a connection string.");
    }

    /// <summary>Waits until the instance runs (started after <paramref name="startedAfter"/>) and is healthy.</summary>
    public Task WaitHealthyAsync(Replica replica, DateTime startedAfter, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Poll.UntilAsync(() =>
        {
            // Healthy by checks that ran after the start: Aspire keeps the previous process's reports on the snapshot of a
            // restarted instance until its checks run again, so "Running" + "Healthy" can describe a process still starting.
            var now = Current(replica);
            return now.IsHealthy && now.StartedAt >= startedAfter.AddSeconds(-1) && (now.HealthCheckedAt is not { } checkedAt || checkedAt >= startedAfter);
        }, timeout, $"{replica.InstanceId} runs and is healthy", TimeSpan.FromMilliseconds(50), cancellationToken);

    private Replica Describe(string instanceId, string resourceName)
    {
        if (!_latest.TryGetValue(instanceId, out var resourceEvent))
        {
            return new Replica(instanceId, resourceName, null, null, null, null);
        }

        var snapshot = resourceEvent.Snapshot;
        HealthStatus? health = snapshot.HealthReports.IsDefaultOrEmpty ? null : snapshot.HealthStatus;
        var checkedAt = snapshot.HealthReports.IsDefaultOrEmpty ? null : snapshot.HealthReports.Min(r => r.LastRunAt);
        return new Replica(instanceId, resourceName, snapshot.State?.Text, health, Pid(resourceEvent), snapshot.StartTimeStamp) { HealthCheckedAt = checkedAt };
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
