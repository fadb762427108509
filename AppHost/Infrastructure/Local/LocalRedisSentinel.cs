using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Faults.Servers;
using StackExchange.Redis;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// Redis in the cluster topology (<c>QueueLab:Topology=cluster</c>): one primary and two replicas, watched by three Sentinels
/// that promote a replica when the primary fails. The resource services reference (same name and connection string name as
/// the single server) hands out the Sentinels' endpoints and the service name,
/// <c>127.0.0.1:17379,127.0.0.1:17389,127.0.0.1:17399,serviceName=queuelab,password=PASSWORD</c>, from which
/// StackExchange.Redis asks the Sentinels for the primary and follows it through a failover. The data nodes and the
/// Sentinels are its child resources.
/// </summary>
public sealed class LocalRedisSentinelResource(
    string name, IReadOnlyList<LocalRedisResource> nodes, IReadOnlyList<LocalRedisResource> sentinels, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    /// <summary>The name the Sentinels know the primary by (<c>SENTINEL get-master-addr-by-name queuelab</c>).</summary>
    public const string ServiceName = "queuelab";

    public IReadOnlyList<LocalRedisResource> Nodes { get; } = nodes;

    public IReadOnlyList<LocalRedisResource> Sentinels { get; } = sentinels;

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            builder.AppendLiteral(string.Join(',', Sentinels.Select(s => $"{LocalServerResource.Host}:{s.ClientPort.ToString(CultureInfo.InvariantCulture)}")));
            builder.AppendLiteral($",serviceName={ServiceName},connectTimeout=1500,password=");
            builder.Append($"{Password}");
            return builder.Build();
        }
    }
}

public static class LocalRedisSentinelExtensions
{
    /// <summary>The Sentinels that must agree that the primary is down before one of them fails it over.</summary>
    public const int Quorum = 2;

    /// <summary>
    /// How long a node may not answer before a Sentinel considers it down (Redis's default is 30 s). Not less: a Sentinel pings
    /// every min(this, 1 s), and it meets a newly promoted primary on a new link whose first ping must be answered within this
    /// time. At 1 s one late answer (a new primary busy with every client reconnecting, on two loaded cores) made a Sentinel
    /// declare the new primary down 0.7 s after the failover and promote the other replica: a second failover, with the first
    /// new primary still taking writes for 11 s until the Sentinels turned it into a replica and its writes were discarded.
    /// </summary>
    public const int DownAfterMilliseconds = 2000;

    /// <summary>
    /// Three <c>redis-server</c> data nodes (<c>{name}-0..2</c>, every one able to become the primary) and three Sentinels
    /// (<c>{name}-sentinel-0..2</c>, the same binary with <c>--sentinel</c>), each with its own port and data folder, every socket on
    /// 127.0.0.1, one password for all. A node's role is decided each time it starts, from what the Sentinels say (or, while none
    /// runs, from the Sentinels' own files, which they rewrite at every failover): an old primary started again after a failover
    /// comes back as a replica of the new one, never as a second primary with stale data. The resource runs once every node
    /// does, both replicas follow the primary and every Sentinel knows both replicas and the two other Sentinels (so a failover
    /// can happen from the first second the services run).
    /// </summary>
    public static IResourceBuilder<LocalRedisSentinelResource> AddLocalRedisSentinel(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, bool randomPorts,
        LabPorts ports, IResourceBuilder<ParameterResource> password)
    {
        var (nodePorts, sentinelPorts) = ports.RedisSentinelNodes(randomPorts);
        var sentinelFiles = sentinelPorts.Select((_, i) => Path.Combine(stateDirectory, $"{name}-sentinel-{i}", "sentinel.conf")).ToArray();
        for (var i = 0; i < nodePorts.Length; i++)
        {
            if (File.Exists(Path.Combine(stateDirectory, $"{name}-{i}", "nodes.conf")))
            {
                throw new InvalidOperationException(
                    $"The state folder {stateDirectory} holds a Redis Cluster's data ({name}-{i}/nodes.conf, from QueueLab:Redis:Cluster=true), and "
                    + "QueueLab:Topology=cluster runs Redis as a primary with replicas on the same folder names. Stop the lab and run ./queuelab reset, "
                    + "or give this lab its own QueueLab:StateDir.");
            }
        }

        var nodes = nodePorts.Select((port, i) => builder.AddLocalRedis($"{name}-{i}", binaries, stateDirectory, port, password,
        [
            // Any node may be promoted: each authenticates to whichever is the primary, and a replica takes no writes.
            "replica-read-only yes",
            "replica-priority 100",
            // A primary that has not heard from any replica for 2 s refuses writes (NOREPLICAS, which every client retries):
            // an old primary that was frozen or cut off while the Sentinels promoted a replica comes back refusing, instead of
            // taking writes for the ~10 s until the Sentinels turn it into a replica and it discards them. Measured in
            // docs/chaos.md: without it, 398 of 600 messages were lost to a primary frozen for 6 s.
            "min-replicas-to-write 1",
            "min-replicas-max-lag 2",
        ],
        async ct =>
        {
            var secret = await password.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
            var primary = await PrimaryPortAsync(nodePorts, sentinelPorts, sentinelFiles, secret, ct).ConfigureAwait(false) ?? nodePorts[0];
            // Replicas and Sentinels authenticate as a user of their own (the services as the default user), so the fault
            // library can cut a node off from its peers alone: that user switched off on it (RedisAdmin.IsolateAsync).
            string[] peers = [$"user {RedisAdmin.PeerUser} on >{secret} ~* &* +@all", $"masteruser {RedisAdmin.PeerUser}", $"masterauth {secret}"];
            return primary == port
                ? peers
                : [.. peers, $"replicaof {LocalServerResource.Host} {primary.ToString(CultureInfo.InvariantCulture)}"];
        })).ToList();

        var sentinels = sentinelPorts.Select((port, i) => builder.AddSentinel($"{name}-sentinel-{i}", binaries, stateDirectory, port, password,
            async ct =>
            {
                var secret = await password.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
                return (await PrimaryPortAsync(nodePorts, sentinelPorts, sentinelFiles, secret, ct).ConfigureAwait(false) ?? nodePorts[0], secret);
            })).ToList();

        var resource = new LocalRedisSentinelResource(name, [.. nodes.Select(n => n.Resource)], [.. sentinels.Select(s => s.Resource)], password.Resource);
        List<IResourceBuilder<LocalRedisResource>> all = [.. nodes, .. sentinels];
        return builder.AddParent(resource, all, "RedisSentinel", ServerProbes.RedisAsync, async (services, ct) =>
        {
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            var secret = await password.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
            await WaitFormedAsync(sentinelPorts, secret, nodePorts.Length - 1, logger, ct).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// One Sentinel: <c>redis-server sentinel.conf --sentinel</c>. Sentinel rewrites its file itself (the current primary, the
    /// epochs, the replicas and Sentinels it has met), so the lab writes it only when it is absent, owner-only, monitoring
    /// the primary of that moment.
    /// </summary>
    private static IResourceBuilder<LocalRedisResource> AddSentinel(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, int port,
        IResourceBuilder<ParameterResource> password, Func<CancellationToken, Task<(int Primary, string Secret)>> monitor)
    {
        var dataDirectory = LocalServerBuilderExtensions.CreateOwnerOnlyDirectory(stateDirectory, name);
        var configFile = Path.Combine(dataDirectory, "sentinel.conf");
        return builder.AddResource(new LocalRedisResource(name, binaries.RedisServer, dataDirectory, port, password.Resource))
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "redis", isProxied: false)
            .WithArgs(configFile, "--sentinel")
            .OnBeforeResourceStarted(async (_, _, ct) =>
            {
                if (File.Exists(configFile))
                {
                    // Sentinel's own state stays; the lines the lab owns follow its settings (a new port or password).
                    var secretNow = await password.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
                    var lines = (await File.ReadAllLinesAsync(configFile, ct).ConfigureAwait(false)).Select(line => line.Split(' ', 4) switch
                    {
                        ["port", _] => $"port {port}",
                        ["requirepass", ..] => $"requirepass {secretNow}",
                        ["sentinel", "auth-pass", var service, ..] => $"sentinel auth-pass {service} {secretNow}",
                        ["sentinel", "auth-user", var service, ..] => $"sentinel auth-user {service} {RedisAdmin.PeerUser}",
                        _ => line,
                    }).ToList();
                    if (!lines.Any(l => l.StartsWith("sentinel auth-user ", StringComparison.Ordinal)))
                    {
                        // A file from before the peers' own user: after its monitor line, which it must follow.
                        lines.Add($"sentinel auth-user {LocalRedisSentinelResource.ServiceName} {RedisAdmin.PeerUser}");
                    }

                    await LocalServerBuilderExtensions.WriteOwnerOnlyAsync(configFile, string.Join('\n', lines) + "\n", ct).ConfigureAwait(false);
                    return;
                }

                var (primary, secret) = await monitor(ct).ConfigureAwait(false);
                await LocalServerBuilderExtensions.WriteOwnerOnlyAsync(configFile, string.Join('\n',
                    $"port {port}",
                    $"bind {LocalServerResource.Host}",
                    "daemonize no",
                    $"dir {dataDirectory}",
                    // Sentinels find each other through the primary and tell each other where they are: here, on loopback.
                    $"sentinel announce-ip {LocalServerResource.Host}",
                    "sentinel resolve-hostnames no",
                    // Clients authenticate to a Sentinel with the lab's password, and the Sentinels to each other with it; to the
                    // data nodes, as the peers' user.
                    $"requirepass {secret}",
                    $"sentinel monitor {LocalRedisSentinelResource.ServiceName} {LocalServerResource.Host} {primary} {Quorum}",
                    $"sentinel auth-user {LocalRedisSentinelResource.ServiceName} {RedisAdmin.PeerUser}",
                    $"sentinel auth-pass {LocalRedisSentinelResource.ServiceName} {secret}",
                    $"sentinel down-after-milliseconds {LocalRedisSentinelResource.ServiceName} {DownAfterMilliseconds}",
                    $"sentinel failover-timeout {LocalRedisSentinelResource.ServiceName} 10000",
                    $"sentinel parallel-syncs {LocalRedisSentinelResource.ServiceName} 1",
                    "sentinel deny-scripts-reconfig yes",
                    ""), ct).ConfigureAwait(false);
            })
            .WithProbe(ServerProbes.SentinelAsync);
    }

    /// <summary>
    /// The port of the primary now: what the running Sentinels name (the answer most of them give), else what the Sentinels'
    /// files say (the file of the highest epoch: the last failover any of them saw), else null (a new lab: node 0).
    /// </summary>
    private static async Task<int?> PrimaryPortAsync(int[] nodePorts, int[] sentinelPorts, string[] sentinelFiles, string password, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(sentinelPorts.Select(async port =>
            (await QueueLab.Lab.Faults.Servers.SentinelQuery.PrimaryAsync(LocalServerResource.Host, port, password, LocalRedisSentinelResource.ServiceName,
                TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false))?.Port)).ConfigureAwait(false);
        // Only an answer naming one of this lab's nodes counts (a file from before a change of ports names none).
        var named = answers.OfType<int>().Where(nodePorts.Contains).GroupBy(p => p).OrderByDescending(g => g.Count()).FirstOrDefault();
        if (named is not null)
        {
            return named.Key;
        }

        return sentinelFiles.Where(File.Exists).Select(f => SentinelFile.Read(File.ReadAllText(f))).OfType<SentinelFile>()
            .Where(f => nodePorts.Contains(f.PrimaryPort)).OrderByDescending(f => f.Epoch).FirstOrDefault()?.PrimaryPort;
    }

    /// <summary>Waits until every Sentinel knows two replicas linked to the primary and the other Sentinels, and agrees that a
    /// quorum can fail the primary over (<c>SENTINEL CKQUORUM</c>).</summary>
    private static async Task WaitFormedAsync(int[] sentinelPorts, string password, int replicas, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            foreach (var port in sentinelPorts)
            {
                connections.Add(await ConnectSentinelAsync(port, password).ConfigureAwait(false));
            }

            while (true)
            {
                var missing = new List<string>();
                for (var i = 0; i < sentinelPorts.Length; i++)
                {
                    var server = connections[i].GetServer(LocalServerResource.Host, sentinelPorts[i]);
                    var linked = (await server.SentinelReplicasAsync(LocalRedisSentinelResource.ServiceName).ConfigureAwait(false))
                        .Count(r => r.Any(f => f.Key == "master-link-status" && f.Value == "ok") && !r.Any(f => f.Key == "flags" && f.Value.Contains("down", StringComparison.Ordinal)));
                    var others = (await server.SentinelSentinelsAsync(LocalRedisSentinelResource.ServiceName).ConfigureAwait(false)).Length;
                    if (linked < replicas || others < sentinelPorts.Length - 1)
                    {
                        missing.Add($"Sentinel {sentinelPorts[i]} knows {linked} linked replica(s) and {others} other Sentinel(s)");
                    }
                }

                if (missing.Count == 0)
                {
                    var quorum = (string?)await connections[0].GetServer(LocalServerResource.Host, sentinelPorts[0])
                        .ExecuteAsync("SENTINEL", "CKQUORUM", LocalRedisSentinelResource.ServiceName).ConfigureAwait(false);
                    logger.LogInformation("Redis is a primary with {Replicas} replicas watched by {Sentinels} Sentinels: {Quorum}", replicas, sentinelPorts.Length, quorum);
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Redis's Sentinels did not see the whole set within 90 s: {string.Join("; ", missing)}.");
                }

                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>A connection to one Sentinel, for its own commands (<c>SENTINEL ...</c>).</summary>
    internal static Task<ConnectionMultiplexer> ConnectSentinelAsync(int port, string password) =>
        ConnectionMultiplexer.ConnectAsync(SentinelOptions($"{LocalServerResource.Host}:{port.ToString(CultureInfo.InvariantCulture)},password={password}"));

    /// <summary>The options for talking to a Sentinel itself (its command set, no tie-breaker key): from a node's connection string.</summary>
    internal static ConfigurationOptions SentinelOptions(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.CommandMap = CommandMap.Sentinel;
        options.TieBreaker = "";
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 2000;
        options.ConnectRetry = 0;
        options.ClientName = "queuelab-apphost-sentinel";
        return options;
    }
}

/// <summary>What a Sentinel's own file says of the primary: its port and the epoch of the last failover the Sentinel saw.</summary>
public sealed record SentinelFile(int PrimaryPort, long Epoch)
{
    /// <summary>Reads <c>sentinel monitor NAME HOST PORT QUORUM</c> and <c>sentinel current-epoch N</c>; null without a monitor line.</summary>
    public static SentinelFile? Read(string text)
    {
        int? port = null;
        long epoch = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["sentinel", "monitor", LocalRedisSentinelResource.ServiceName, _, var p, ..] && int.TryParse(p, CultureInfo.InvariantCulture, out var parsed))
            {
                port = parsed;
            }
            else if (words is ["sentinel", "current-epoch", var e] && long.TryParse(e, CultureInfo.InvariantCulture, out var parsedEpoch))
            {
                epoch = parsedEpoch;
            }
        }

        return port is { } primary ? new SentinelFile(primary, epoch) : null;
    }
}
