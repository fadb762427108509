using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Ordering;
using StackExchange.Redis;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// A local Redis Cluster of three primaries (<c>QueueLab:Redis:Cluster=true</c>): the resource services reference (same
/// name and connection string shape as the single Redis, every node's endpoint listed), with its nodes as child resources.
/// It is up once the nodes run and the cluster says <c>cluster_state:ok</c> on each of them.
/// </summary>
public sealed class LocalRedisClusterResource(string name, IReadOnlyList<LocalRedisResource> nodes, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    public IReadOnlyList<LocalRedisResource> Nodes { get; } = nodes;

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            for (var i = 0; i < Nodes.Count; i++)
            {
                builder.AppendLiteral($"{(i == 0 ? "" : ",")}{LocalServerResource.Host}:{Nodes[i].ClientPort.ToString(CultureInfo.InvariantCulture)}");
            }

            // allowAdmin: the Redis client's health check (Aspire's AddRedisClient) reads CLUSTER INFO from every node, which
            // StackExchange.Redis counts as an admin command; without it every service would report unhealthy on a cluster.
            builder.AppendLiteral(",allowAdmin=true,password=");
            builder.Append($"{Password}");
            return builder.Build();
        }
    }
}

public static class LocalRedisClusterExtensions
{
    /// <summary>
    /// Three <c>redis-server</c> primaries (<c>{name}-0..2</c>), each with its own port, cluster bus port and data folder,
    /// every socket on 127.0.0.1, and the cluster made of them: on the first start the slots are shared out so that pipeline
    /// B's <paramref name="partitions"/> spread evenly over the primaries (<see cref="ClusterSlots.Ranges"/>) and the nodes
    /// meet; on a later start on the same data folders the nodes find each other from their <c>nodes.conf</c>.
    /// </summary>
    public static IResourceBuilder<LocalRedisClusterResource> AddLocalRedisCluster(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, bool randomPorts,
        int firstPort, IResourceBuilder<ParameterResource> password, int partitions)
    {
        const int Primaries = 3;
        if (Directory.Exists(Path.Combine(stateDirectory, $"{name}-sentinel-0")))
        {
            throw new InvalidOperationException(
                $"The state folder {stateDirectory} holds the data of Redis with Sentinels (from QueueLab:Topology=cluster) under the folder names a "
                + "Redis Cluster uses. Stop the lab and run ./queuelab reset, or give this lab its own QueueLab:StateDir.");
        }

        var ports = randomPorts ? LabPorts.FreePorts(2 * Primaries) : [.. Enumerable.Range(0, Primaries).Select(i => firstPort + 1 + i),
            .. Enumerable.Range(0, Primaries).Select(i => firstPort + 10001 + i)];
        var nodes = Enumerable.Range(0, Primaries).Select(i => builder.AddLocalRedis($"{name}-{i}", binaries, stateDirectory, ports[i], password,
        [
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            $"cluster-port {ports[Primaries + i]}",
            "cluster-node-timeout 5000",
            // Every slot is on a primary with no replica: a primary that is down makes its slots unavailable, not the cluster.
            "cluster-require-full-coverage no",
            "cluster-allow-reads-when-down no",
        ])).ToList();

        var cluster = new LocalRedisClusterResource(name, [.. nodes.Select(n => n.Resource)], password.Resource);
        return builder.AddParent(cluster, nodes, "RedisCluster", ProbeAsync, async (services, ct) =>
        {
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster);
            var secret = await password.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
            await CreateAsync([.. ports.Take(Primaries)], [.. ports.Skip(Primaries)], secret, partitions, logger, ct).ConfigureAwait(false);
        });
    }

    /// <summary>Healthy when every node answers and says <c>cluster_state:ok</c>.</summary>
    private static async Task ProbeAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        options.ConnectRetry = 0;
        options.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var endpoint in options.EndPoints)
        {
            var info = (string?)await connection.GetServer(endpoint).ExecuteAsync("CLUSTER", "INFO").WaitAsync(cancellationToken).ConfigureAwait(false) ?? "";
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{endpoint} says the cluster is not ok yet");
            }
        }
    }

    /// <summary>
    /// Makes the cluster of fresh nodes (no slots anywhere: shares the slots out and has node 0 meet the others), or leaves
    /// an existing one as it is; then waits until every node says <c>cluster_state:ok</c>. Nodes of which some have slots
    /// and some have none (a data folder deleted on its own) are refused, with what to do.
    /// </summary>
    private static async Task CreateAsync(int[] ports, int[] busPorts, string password, int partitions, ILogger logger, CancellationToken cancellationToken)
    {
        var servers = new List<(ConnectionMultiplexer Connection, IServer Server)>();
        try
        {
            foreach (var port in ports)
            {
                var options = new ConfigurationOptions
                {
                    EndPoints = { { LocalServerResource.Host, port } },
                    Password = password,
                    AllowAdmin = true,
                    AbortOnConnectFail = true,
                    ClientName = "queuelab-apphost-cluster",
                };
                var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
                servers.Add((connection, connection.GetServer(LocalServerResource.Host, port)));
            }

            var assigned = new List<long>();
            foreach (var (_, server) in servers)
            {
                assigned.Add(Field(await InfoAsync(server).ConfigureAwait(false), "cluster_slots_assigned"));
            }

            if (assigned.All(a => a == 0))
            {
                var ranges = ClusterSlots.Ranges(partitions, ports.Length);
                for (var i = 0; i < servers.Count; i++)
                {
                    await servers[i].Server.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", ranges[i].First, ranges[i].Last).ConfigureAwait(false);
                }

                for (var i = 1; i < servers.Count; i++)
                {
                    await servers[0].Server.ExecuteAsync("CLUSTER", "MEET", LocalServerResource.Host, ports[i], busPorts[i]).ConfigureAwait(false);
                }

                logger.LogInformation("Created the Redis Cluster: slots {Ranges} on ports {Ports}, spreading {Partitions} partition(s) of pipeline B",
                    string.Join(", ", ranges.Select(r => $"{r.First}-{r.Last}")), string.Join(", ", ports), partitions);
            }
            else if (assigned.Any(a => a == 0) || assigned.Sum() > ClusterSlots.Count * 2)
            {
                throw new InvalidOperationException(
                    $"The Redis Cluster's nodes disagree (slots assigned per node, as each sees it: {string.Join(", ", assigned)}): some data folders "
                    + "were made by an earlier cluster and some are new. Stop the lab and delete the cache-* folders of its state folder (./queuelab reset).");
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var states = new List<string>();
                foreach (var (_, server) in servers)
                {
                    states.Add((await InfoAsync(server).ConfigureAwait(false)).Contains("cluster_state:ok", StringComparison.Ordinal) ? "ok" : "not ok");
                }

                if (states.All(s => s == "ok"))
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The Redis Cluster did not become ok within 60 s (per node: {string.Join(", ", states)}).");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var (connection, _) in servers)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<string> InfoAsync(IServer server) => (string?)await server.ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false) ?? "";

    private static long Field(string info, string name) =>
        info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line
            ? long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture)
            : 0;
}
