using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace QueueLab.Faults;

/// <summary>How a server is restarted.</summary>
public enum RestartKind
{
    /// <summary>Aspire's stop then start (the server gets SIGTERM and shuts down cleanly).</summary>
    Graceful,

    /// <summary>kill -9 of the server's process tree, then Aspire's start on the same data.</summary>
    Kill,
}

/// <summary>One running (or stopped) instance of a resource, from its latest Aspire snapshot.</summary>
public sealed record Replica(string InstanceId, string ResourceName, string? State, HealthStatus? Health, int? ProcessId, DateTime? StartedAt)
{
    public bool IsRunning => State == KnownResourceStates.Running;
}

/// <summary>What a fault did: which fault, on what, how long it took to apply (and recover, where it waits), and details.</summary>
public sealed record FaultResult(string Fault, string Target, TimeSpan Took, string Detail)
{
    public override string ToString() => $"{Fault} {Target}: {Detail} ({Took.TotalMilliseconds:0} ms)";
}

/// <summary>
/// The faults the lab injects into a running topology, through the AppHost's own services (so the chaos suites and the
/// dashboard's commands do the same thing): kill -9 of a replica (its process id from the resource snapshot), Aspire's
/// stop / start, a server restart on its data (graceful or kill -9), dropping every client connection of a server,
/// pausing Redis, and the TCP fault proxies (<see cref="FaultProxies"/>) when the lab has them.
/// </summary>
public sealed class LabFaults : IAsyncDisposable
{
    public const string PidProperty = "executable.pid";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ResourceNotificationService _notifications;
    private readonly ResourceCommandService _commands;
    private readonly DistributedApplicationModel _model;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;

    public LabFaults(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _notifications = services.GetRequiredService<ResourceNotificationService>();
        _commands = services.GetRequiredService<ResourceCommandService>();
        _model = services.GetRequiredService<DistributedApplicationModel>();
        Proxies = services.GetService<FaultProxies>();
        // The notification service replays every instance's latest snapshot to a new watcher, then follows changes:
        // this is how the replicas of a resource (and their process ids) are known.
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

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The lab's TCP fault proxies, or null when it was started without any.</summary>
    public FaultProxies? Proxies { get; }

    public IResource Resource(string name) =>
        _model.Resources.SingleOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException(
            $"No resource '{name}' in this lab (it has {string.Join(", ", _model.Resources.Select(r => r.Name))}).");

    /// <summary>Every instance of a resource (replicas of a project), from their latest snapshots.</summary>
    public IReadOnlyList<Replica> Replicas(string resourceName)
    {
        var resource = Resource(resourceName);
        return [.. _latest.Values.Where(e => e.Resource == resource).OrderBy(e => e.ResourceId, StringComparer.Ordinal)
            .Select(e => Describe(e.ResourceId, resource.Name))];
    }

    /// <summary>
    /// The instance of <paramref name="resourceName"/> a service calls itself <paramref name="serviceInstanceId"/> (its
    /// <c>service.instance.id</c>, which services put in their lock tokens and registrations: the suffix of the Aspire
    /// instance id), or null.
    /// </summary>
    public Replica? ReplicaOf(string resourceName, string serviceInstanceId) =>
        Replicas(resourceName).FirstOrDefault(r => r.InstanceId == serviceInstanceId || r.InstanceId.EndsWith("-" + serviceInstanceId, StringComparison.Ordinal));

    /// <summary>The latest snapshot of every instance of a resource, by instance id.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> Snapshots(string resourceName) =>
        _latest.Values.Where(e => e.Resource.Name == resourceName).ToDictionary(e => e.ResourceId);

    /// <summary>The process id in an instance's snapshot (for a project: its <c>dotnet run</c> launcher), if any.</summary>
    public static int? Pid(ResourceEvent resourceEvent)
    {
        ArgumentNullException.ThrowIfNull(resourceEvent);
        return resourceEvent.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } value
               && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var parsed) ? parsed : null;
    }

    /// <summary>The connection string of a server resource (fails saying why when it has none yet).</summary>
    public Task<string> ConnectionStringAsync(string resourceName, CancellationToken cancellationToken = default) =>
        ConnectionStringAsync(Resource(resourceName), cancellationToken);

    /// <summary>The instance <paramref name="target"/> names: an instance id, or a resource's first running instance.</summary>
    public Replica Find(string target)
    {
        if (_latest.TryGetValue(target, out var instance))
        {
            return Describe(target, instance.Resource.Name);
        }

        var replicas = Replicas(target);
        return replicas.FirstOrDefault(r => r.IsRunning)
            ?? throw new InvalidOperationException($"No running instance of '{target}' ({Summary(replicas)}).");
    }

    /// <summary>kill -9 of one instance's process tree (for a project: the launcher and the service under it). Returns
    /// once every process of the tree is gone; Aspire does not restart it (use <see cref="StartAsync"/>).</summary>
    public async Task<FaultResult> KillAsync(string target, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = Find(target);
        if (!replica.IsRunning || replica.ProcessId is not { } pid)
        {
            throw new InvalidOperationException(
                $"{replica.InstanceId} is {replica.State ?? "unknown"} with no process id to kill" +
                " (kill -9 needs a local process; in containers mode use restart).");
        }

        var tree = ProcessTree.Of(pid);
        ProcessTree.KillAll(tree);
        await WaitAsync(() => Task.FromResult(tree.All(p => !ProcessTree.IsAlive(p))), TimeSpan.FromSeconds(10),
            $"the processes of {replica.InstanceId} ({string.Join(", ", tree)}) are gone", cancellationToken).ConfigureAwait(false);
        return new FaultResult("kill -9", replica.InstanceId, clock.Elapsed, $"killed pids {string.Join(", ", tree)}");
    }

    /// <summary>Aspire's stop of one instance (SIGTERM, graceful).</summary>
    public async Task<FaultResult> StopAsync(string target, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = Find(target);
        var result = await _commands.ExecuteCommandAsync(replica.InstanceId, KnownResourceCommands.StopCommand, cancellationToken).ConfigureAwait(false);
        // Aspire's stop can report a failure while the process is still shutting down (it gives up waiting for the
        // state); the stop was delivered either way, so what counts is whether the instance does stop.
        await WaitAsync(() => Task.FromResult(!Describe(replica.InstanceId, replica.ResourceName).IsRunning), DefaultTimeout,
            $"{replica.InstanceId} stopped (Aspire's stop said: {(result.Success ? "ok" : result.Message)})", cancellationToken).ConfigureAwait(false);
        return new FaultResult("stop", replica.InstanceId, clock.Elapsed,
            result.Success ? "stopped by Aspire" : $"stopped (Aspire reported '{result.Message}' before it had)");
    }

    /// <summary>Aspire's start of a stopped (or killed) instance; returns once it runs and is healthy again.</summary>
    public async Task<FaultResult> StartAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = Find(instanceId);
        var before = DateTime.UtcNow;
        await WaitAsync(() => Task.FromResult(!Describe(replica.InstanceId, replica.ResourceName).IsRunning), DefaultTimeout,
            $"Aspire sees {replica.InstanceId} stopped", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(replica.InstanceId, KnownResourceCommands.StartCommand, cancellationToken).ConfigureAwait(false);
        await WaitHealthyAsync(replica, before, cancellationToken).ConfigureAwait(false);
        return new FaultResult("start", replica.InstanceId, clock.Elapsed, "running and healthy");
    }

    /// <summary>Restarts a server on its data (graceful: Aspire's stop and start; kill: kill -9, then start) and
    /// returns once it is healthy again. <see cref="FaultResult.Took"/> is the whole outage as Aspire saw it.</summary>
    public async Task<FaultResult> RestartServerAsync(string server, RestartKind kind, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = Find(server);
        var detail = kind == RestartKind.Kill
            ? (await KillAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false)).Detail
            : (await StopAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false)).Detail;
        await StartAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false);
        return new FaultResult(kind == RestartKind.Kill ? "kill -9 + start" : "restart", replica.InstanceId, clock.Elapsed,
            $"{detail}; running and healthy again on the same data");
    }

    /// <summary>Closes every client connection of a server: RabbitMQ (management API), Redis (<c>CLIENT KILL TYPE
    /// normal</c> and <c>pubsub</c>), PostgreSQL (<c>pg_terminate_backend</c>). Clients must reconnect on their own.</summary>
    public async Task<FaultResult> DropConnectionsAsync(string server, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var resource = Resource(server);
        var connectionString = await ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false);
        var dropped = Kind(resource, connectionString) switch
        {
            ServerKind.Redis => await DropRedisAsync(connectionString).ConfigureAwait(false),
            ServerKind.RabbitMQ => await DropRabbitAsync(resource, connectionString, cancellationToken).ConfigureAwait(false),
            ServerKind.Postgres => await DropPostgresAsync(connectionString, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException(
                $"{server} has no way to drop its clients' connections; put a fault proxy in front of it (QueueLab:Chaos:Proxies={server}) and reset them there."),
        };
        return new FaultResult("drop connections", server, clock.Elapsed, $"{dropped} client connections closed");
    }

    /// <summary><c>CLIENT PAUSE</c> every client of Redis for <paramref name="duration"/> (the server holds their commands).</summary>
    public async Task<FaultResult> PauseRedisAsync(string server, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var resource = Resource(server);
        var connectionString = await ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false);
        if (Kind(resource, connectionString) != ServerKind.Redis)
        {
            throw new InvalidOperationException($"{server} is not Redis; only Redis can be paused.");
        }

        await using var redis = await ConnectRedisAsync(connectionString).ConfigureAwait(false);
        await redis.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "ALL").ConfigureAwait(false);
        return new FaultResult("pause", server, clock.Elapsed, $"every client paused for {duration.TotalMilliseconds:0} ms");
    }

    /// <summary>The fault proxy in front of <paramref name="server"/> (fails with what to set when there is none).</summary>
    public TcpFaultProxy Proxy(string server) =>
        (Proxies ?? throw new InvalidOperationException(
            $"This lab has no fault proxies; start it with QueueLab:Chaos:Proxies={server}."))[server];

    private async Task ExecuteAsync(string instanceId, string command, CancellationToken cancellationToken)
    {
        var result = await _commands.ExecuteCommandAsync(instanceId, command, cancellationToken).ConfigureAwait(false);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Aspire's {command} of {instanceId} failed: {result.Message}");
        }
    }

    private Task WaitHealthyAsync(Replica replica, DateTime startedAfter, CancellationToken cancellationToken) =>
        WaitAsync(() =>
        {
            var now = Describe(replica.InstanceId, replica.ResourceName);
            return Task.FromResult(now.IsRunning && now.StartedAt >= startedAfter.AddSeconds(-1)
                && (now.Health is null or HealthStatus.Healthy));
        }, DefaultTimeout, $"{replica.InstanceId} runs and is healthy", cancellationToken);

    private Replica Describe(string instanceId, string resourceName)
    {
        if (!_latest.TryGetValue(instanceId, out var resourceEvent))
        {
            return new Replica(instanceId, resourceName, null, null, null, null);
        }

        var snapshot = resourceEvent.Snapshot;
        var pid = Pid(resourceEvent);
        HealthStatus? health = snapshot.HealthReports.IsDefaultOrEmpty ? null : snapshot.HealthStatus;
        return new Replica(instanceId, resourceName, snapshot.State?.Text, health, pid, snapshot.StartTimeStamp);
    }

    private static string Summary(IEnumerable<Replica> replicas) =>
        string.Join(", ", replicas.Select(r => $"{r.InstanceId} {r.State ?? "unknown"}"));

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for: {what}.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string> ConnectionStringAsync(IResource resource, CancellationToken cancellationToken) =>
        resource is IResourceWithConnectionString withConnection
            ? await withConnection.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false)
              ?? throw new InvalidOperationException($"{resource.Name} has no connection string yet; is it running?")
            : throw new InvalidOperationException($"{resource.Name} is not a server with a connection string.");

    private enum ServerKind
    {
        Other,
        Redis,
        RabbitMQ,
        Postgres,
    }

    private static ServerKind Kind(IResource resource, string connectionString) =>
        connectionString.StartsWith("amqp", StringComparison.OrdinalIgnoreCase) ? ServerKind.RabbitMQ
        : connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) ? ServerKind.Postgres
        : connectionString.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? ServerKind.Other
        : resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.UriScheme == "redis") || connectionString.Contains("password=", StringComparison.Ordinal)
            ? ServerKind.Redis
            : ServerKind.Other;

    private static async Task<ConnectionMultiplexer> ConnectRedisAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        options.ClientName = "queuelab-faults";
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    private static async Task<long> DropRedisAsync(string connectionString)
    {
        await using var redis = await ConnectRedisAsync(connectionString).ConfigureAwait(false);
        var db = redis.GetDatabase();
        long dropped = 0;
        foreach (var type in new[] { "normal", "pubsub" })
        {
            dropped += (long)await db.ExecuteAsync("CLIENT", "KILL", "TYPE", type, "SKIPME", "yes").ConfigureAwait(false);
        }

        return dropped;
    }

    private static async Task<long> DropPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Database = "postgres" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity " +
            "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<long> DropRabbitAsync(IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var management = resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "management")?.AllocatedEndpoint
            ?? throw new InvalidOperationException($"{resource.Name} has no management endpoint: the lab enables the management plugin; is this lab's RabbitMQ configured without it?");
        var amqp = new Uri(connectionString);
        var userInfo = amqp.UserInfo.Split(':', 2);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.UnescapeDataString(userInfo[0]) + ":" + Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")));
        var baseUri = new Uri($"http://{management.Address}:{management.Port}/api/");

        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "connections?columns=name"));
        list.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var response = await Http.SendAsync(list, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        long dropped = 0;
        foreach (var name in body.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()).OfType<string>())
        {
            using var close = new HttpRequestMessage(HttpMethod.Delete, new Uri(baseUri, "connections/" + Uri.EscapeDataString(name)));
            close.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
            close.Headers.Add("X-Reason", "QueueLab fault: drop every client connection");
            using var closed = await Http.SendAsync(close, cancellationToken).ConfigureAwait(false);
            if (closed.IsSuccessStatusCode)
            {
                dropped++;
            }
        }

        return dropped;
    }
}
