using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using QueueLab.Lab.Faults.Servers;
using QueueLab.Lab.Processes;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab.Faults;

/// <summary>
/// Faults on the lab's servers: a restart on the same data (graceful or kill -9), every client connection dropped, and
/// Redis paused. Each speaks the server's own protocol, chosen by the kind the AppHost gave the resource.
/// </summary>
public sealed class ServerFaults(LabResources resources, ProcessFaults processes, Network.FaultProxies proxies)
{
    /// <summary>Restarts a server on its data (graceful: Aspire's stop and start; kill: kill -9, then start) and
    /// returns once it is healthy again. <see cref="FaultResult.Took"/> is the whole outage as Aspire saw it.</summary>
    public async Task<FaultResult> RestartAsync(string server, RestartKind kind, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = resources.Find(server);
        var detail = kind == RestartKind.Kill
            ? (await processes.KillAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false)).Detail
            : (await processes.StopAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false)).Detail;
        await processes.StartAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false);
        return new FaultResult(kind == RestartKind.Kill ? "kill -9 + start" : "restart", replica.InstanceId, clock.Elapsed,
            $"{detail}; running and healthy again on the same data");
    }

    /// <summary>
    /// kill -9 of the node that leads a clustered server, then waits until another one leads: etcd's raft leader (from the
    /// members' own status), the primary of a Redis behind Sentinels (as a majority of the Sentinels names it; they promote a
    /// replica), or the node of a RabbitMQ cluster that leads the most quorum queues (until each has a new leader). <see cref="FaultResult.Took"/> is the failover: from the kill to a new leader a majority names. The killed node
    /// stays down (start it again with <see cref="ProcessFaults.StartAsync"/>; a Redis node comes back as a replica).
    /// </summary>
    public async Task<FaultResult> KillLeaderAsync(string server, CancellationToken cancellationToken = default)
    {
        var resource = resources.Resource(server);
        var connectionString = await LabResources.ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false);
        if (resource.ServerKind() == ServerKind.RabbitMQ && resource.ClusterNodes().Count > 0)
        {
            return await KillQueueLeaderAsync(server, resource, connectionString, cancellationToken).ConfigureAwait(false);
        }

        Func<Task<(string Name, string Detail)?>> leader = resource.ServerKind() switch
        {
            ServerKind.Etcd => async () => await EtcdAdmin.LeaderAsync(connectionString, cancellationToken).ConfigureAwait(false) is { } l
                ? (l.Name, $"term {l.Term}") : null,
            ServerKind.Redis when connectionString.Contains("serviceName=", StringComparison.OrdinalIgnoreCase) => async () =>
                await RedisAdmin.SentinelPrimaryAsync(connectionString, cancellationToken).ConfigureAwait(false) is { } primary
                    ? (NodeListeningOn(server, primary.Port), $"127.0.0.1:{primary.Port}") : null,
            _ => throw new InvalidOperationException($"{server} has no leader this library can find; an etcd cluster, a Redis behind Sentinels and a RabbitMQ cluster have."),
        };

        var what = resource.ServerKind() == ServerKind.Redis ? "primary" : "leader";
        var before = await Poll.ForAsync(leader, l => l is not null, TimeSpan.FromSeconds(30),
            $"{server} has a {what}", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        // From the kill itself: KillAsync sends it at once, then waits until the processes are gone.
        var clock = Stopwatch.StartNew();
        var killed = await processes.KillAsync(before!.Value.Name, cancellationToken).ConfigureAwait(false);
        var after = await Poll.ForAsync(leader, l => l is not null && l.Value.Name != before.Value.Name, TimeSpan.FromSeconds(60),
            $"{server} has a {what} other than {before.Value.Name}", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        return new FaultResult($"kill -9 of the {what}", before.Value.Name, clock.Elapsed,
            $"{killed.Detail} ({before.Value.Name} was the {what}, {before.Value.Detail}); {after!.Value.Name} is now ({after.Value.Detail})");
    }

    /// <summary>
    /// A RabbitMQ cluster's "leader": the node that leads the most quorum queues (the management API of any node that
    /// answers says which). Killed with kill -9; the failover is from the kill until every queue it led has a leader on
    /// another node.
    /// </summary>
    private async Task<FaultResult> KillQueueLeaderAsync(string server, IResource resource, string connectionString, CancellationToken cancellationToken)
    {
        var leaders = await RabbitAdmin.QueueLeadersAsync(resource, connectionString, cancellationToken).ConfigureAwait(false);
        var busiest = leaders.GroupBy(l => l.Value).OrderByDescending(g => g.Count()).FirstOrDefault()
            ?? throw new InvalidOperationException($"{server} has no quorum queue yet: nothing leads.");
        var node = resources.Nodes(server).FirstOrDefault(n => n.Annotations.OfType<ClusterNodeNameAnnotation>().Any(a => a.NodeName == busiest.Key))
            ?? throw new InvalidOperationException($"No node of {server} is {busiest.Key}.");
        var led = busiest.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var killed = await processes.KillAsync(node.Name, cancellationToken).ConfigureAwait(false);
        await Poll.UntilAsync(async () =>
        {
            try
            {
                var now = await RabbitAdmin.QueueLeadersAsync(resource, connectionString, cancellationToken).ConfigureAwait(false);
                return led.All(q => now.TryGetValue(q, out var leader) && leader != busiest.Key);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // No node answered in time (an election on two busy cores): ask again.
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"every queue {node.Name} led has a leader on another node", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        return new FaultResult("kill -9 of the queue leader", node.Name, clock.Elapsed,
            $"{killed.Detail} ({node.Name} led {led.Count} of {leaders.Count} quorum queues); each has a new leader");
    }

    /// <summary>
    /// Cuts a node of a clustered server off from its peers while its clients stay connected to it, then waits until the
    /// others act on it; <see cref="FaultResult.Took"/> is that. A RabbitMQ node (the other nodes see it gone; with
    /// <c>pause_minority</c> it then pauses itself, and its clients reconnect to the others), or a Redis data node behind
    /// Sentinels (the primary: until the Sentinels promote a replica, while it keeps serving its clients; a replica: until the
    /// primary no longer counts it). <see cref="HealAsync"/> ends it.
    /// </summary>
    public async Task<FaultResult> IsolateAsync(string node, CancellationToken cancellationToken = default) =>
        SentinelNode(node) is { } redis ? await IsolateRedisAsync(node, redis.Server, redis.Port, cancellationToken).ConfigureAwait(false)
        : EtcdMember(node) is { } etcd ? await IsolateEtcdAsync(node, etcd.Server, etcd.Peers, cancellationToken).ConfigureAwait(false)
        : await IsolateRabbitAsync(node, cancellationToken).ConfigureAwait(false);

    /// <summary>Lets an isolated node meet its peers again, then waits until the cluster is whole: every RabbitMQ node sees all
    /// of them running, or the Redis node replicates from the primary the Sentinels name.</summary>
    public async Task<FaultResult> HealAsync(string node, CancellationToken cancellationToken = default) =>
        SentinelNode(node) is { } redis ? await HealRedisAsync(node, redis.Server, redis.Port, cancellationToken).ConfigureAwait(false)
        : EtcdMember(node) is { } etcd ? await HealEtcdAsync(node, etcd.Server, etcd.Peers, cancellationToken).ConfigureAwait(false)
        : await HealRabbitAsync(node, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// An etcd member cut off from the others: the lab's proxy in front of its peer port resets every connection (the others
    /// reach it no more), and the proxies in front of the others' refuse every connection its process dials (it reaches them
    /// no more; told apart by the owner of the dialling socket). Its clients still reach it on its client port. Waits until a
    /// majority of the others agree on a leader other than it and it follows none.
    /// </summary>
    private async Task<FaultResult> IsolateEtcdAsync(string node, IResource server, IReadOnlyList<IResource> peers, CancellationToken cancellationToken)
    {
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        var replica = resources.Find(node);
        var pids = replica.ProcessId is { } pid ? ProcessTree.Of(pid) : throw new InvalidOperationException($"{node} is not running.");
        var clock = Stopwatch.StartNew();
        proxies[Network.FaultProxies.PeersOf(node)].Cut();
        foreach (var peer in peers)
        {
            proxies[Network.FaultProxies.PeersOf(peer.Name)].Refuse(from => SocketOwners.HeldBy(from, pids));
        }

        string? leader = null;
        await Poll.UntilAsync(async () =>
        {
            var views = await EtcdAdmin.ViewsAsync(connectionString, cancellationToken).ConfigureAwait(false);
            leader = peers.Select(p => views.GetValueOrDefault(p.Name)).FirstOrDefault(l => l is not null && l != node);
            return leader is not null && peers.All(p => views.GetValueOrDefault(p.Name) == leader)
                && views.TryGetValue(node, out var own) && own is null;
        }, TimeSpan.FromSeconds(60), $"the other members follow a leader other than {node}, and {node} none", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        return new FaultResult("isolate", node, clock.Elapsed,
            $"{node} cut off from {string.Join(" and ", peers.Select(p => p.Name))} (its clients still reach it); they follow {leader}, it follows none");
    }

    private async Task<FaultResult> HealEtcdAsync(string node, IResource server, IReadOnlyList<IResource> peers, CancellationToken cancellationToken)
    {
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        proxies[Network.FaultProxies.PeersOf(node)].Restore();
        foreach (var peer in peers)
        {
            proxies[Network.FaultProxies.PeersOf(peer.Name)].Refuse(null);
        }

        string? leader = null;
        await Poll.UntilAsync(async () =>
        {
            var views = await EtcdAdmin.ViewsAsync(connectionString, cancellationToken).ConfigureAwait(false);
            leader = views.GetValueOrDefault(node);
            return leader is not null && views.Count == peers.Count + 1 && views.Values.All(v => v == leader);
        }, TimeSpan.FromSeconds(60), $"every member, {node} too, follows one leader", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        return new FaultResult("heal", node, clock.Elapsed, $"{node} back with {string.Join(" and ", peers.Select(p => p.Name))}; all follow {leader}");
    }

    /// <summary>A member of an etcd cluster: the cluster's resource and the other members; null for any other resource.</summary>
    private (IResource Server, IReadOnlyList<IResource> Peers)? EtcdMember(string node)
    {
        var target = resources.Resource(node);
        var server = ParentOf(target);
        return server is not null && server.ServerKind() == ServerKind.Etcd && server.ClusterNodes() is { Count: > 0 } members
            ? (server, [.. members.Where(m => m != target)])
            : null;
    }

    private async Task<FaultResult> IsolateRabbitAsync(string node, CancellationToken cancellationToken)
    {
        var (target, server, peers) = RabbitNode(node);
        var clock = Stopwatch.StartNew();
        await RabbitAdmin.IsolateAsync(target, peers.Select(NameOf), cancellationToken).ConfigureAwait(false);
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        await Poll.UntilAsync(async () =>
        {
            var views = await RabbitAdmin.ViewsAsync(server, connectionString, cancellationToken).ConfigureAwait(false);
            return peers.All(p => views.TryGetValue(NameOf(p), out var running) && !running.Contains(NameOf(target)));
        }, TimeSpan.FromSeconds(60), $"the other nodes see {node} gone", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        return new FaultResult("isolate", node, clock.Elapsed, $"{node} cut off from {string.Join(" and ", peers.Select(p => p.Name))}; they see it gone");
    }

    private async Task<FaultResult> HealRabbitAsync(string node, CancellationToken cancellationToken)
    {
        var (target, server, peers) = RabbitNode(node);
        var clock = Stopwatch.StartNew();
        await RabbitAdmin.HealAsync(target, peers.Select(NameOf), cancellationToken).ConfigureAwait(false);
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        string[] all = [NameOf(target), .. peers.Select(NameOf)];
        await Poll.UntilAsync(async () =>
        {
            var views = await RabbitAdmin.ViewsAsync(server, connectionString, cancellationToken).ConfigureAwait(false);
            return all.All(n => views.TryGetValue(n, out var running) && all.All(running.Contains));
        }, TimeSpan.FromSeconds(120), $"every node sees all {all.Length} running again", TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        return new FaultResult("heal", node, clock.Elapsed, $"{node} back with {string.Join(" and ", peers.Select(p => p.Name))}; every node sees all running");
    }

    private async Task<FaultResult> IsolateRedisAsync(string node, IResource server, int port, CancellationToken cancellationToken)
    {
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        var password = StackExchange.Redis.ConfigurationOptions.Parse(connectionString).Password ?? "";
        var primary = await Poll.ForAsync(() => RedisAdmin.SentinelPrimaryAsync(connectionString, cancellationToken), p => p is not null,
            TimeSpan.FromSeconds(30), $"the Sentinels of {server.Name} agree on a primary", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var closed = await RedisAdmin.IsolateAsync(port, password).ConfigureAwait(false);
        if (primary!.Port == port)
        {
            var promoted = await Poll.ForAsync(() => RedisAdmin.SentinelPrimaryAsync(connectionString, cancellationToken), p => p is not null && p.Port != port,
                TimeSpan.FromSeconds(60), $"the Sentinels promote a replica in place of {node}", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            return new FaultResult("isolate", node, clock.Elapsed,
                $"{node}, the primary, cut off from its replicas and the Sentinels ({closed} peer connections closed; its clients still served); the Sentinels promoted {NodeListeningOn(server.Name, promoted!.Port)}");
        }

        await Poll.UntilAsync(async () => !(await RedisAdmin.InfoReplicationAsync(primary.Port, password).ConfigureAwait(false))
            .Contains($"port={port.ToString(System.Globalization.CultureInfo.InvariantCulture)},", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), $"the primary no longer counts {node} as its replica", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        return new FaultResult("isolate", node, clock.Elapsed, $"{node}, a replica, cut off from its primary and the Sentinels ({closed} peer connections closed)");
    }

    private async Task<FaultResult> HealRedisAsync(string node, IResource server, int port, CancellationToken cancellationToken)
    {
        var connectionString = await LabResources.ConnectionStringAsync(server, cancellationToken).ConfigureAwait(false);
        var password = StackExchange.Redis.ConfigurationOptions.Parse(connectionString).Password ?? "";
        var clock = Stopwatch.StartNew();
        await RedisAdmin.HealAsync(port, password).ConfigureAwait(false);
        var primary = 0;
        await Poll.UntilAsync(async () =>
        {
            primary = (await RedisAdmin.SentinelPrimaryAsync(connectionString, cancellationToken).ConfigureAwait(false))?.Port ?? 0;
            var info = await RedisAdmin.InfoReplicationAsync(port, password).ConfigureAwait(false);
            return primary == port ? info.Contains("role:master", StringComparison.Ordinal)
                : primary != 0 && info.Contains($"master_port:{primary.ToString(System.Globalization.CultureInfo.InvariantCulture)}", StringComparison.Ordinal)
                    && info.Contains("master_link_status:up", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(120), $"{node} replicates from the primary the Sentinels name", TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        return new FaultResult("heal", node, clock.Elapsed, primary == port
            ? $"{node} back with its peers, still the primary"
            : $"{node} back with its peers, a replica of {NodeListeningOn(server.Name, primary)}");
    }

    /// <summary>A data node of a Redis behind Sentinels: its server (the parent) and its port; null for any other resource.</summary>
    private (IResource Server, int Port)? SentinelNode(string node)
    {
        var target = resources.Resource(node);
        var server = ParentOf(target);
        if (server is null || server.ServerKind() != ServerKind.Redis || node.Contains("-sentinel-", StringComparison.Ordinal)
            || !server.ClusterNodes().Any(n => n.Name.Contains("-sentinel-", StringComparison.Ordinal)))
        {
            return null;
        }

        return (server, target.Annotations.OfType<EndpointAnnotation>().First().Port
            ?? throw new InvalidOperationException($"{node} has no fixed port."));
    }

    /// <summary>A RabbitMQ node of a cluster, the cluster's resource, and the node's peers.</summary>
    private (IResource Node, IResource Server, IReadOnlyList<IResource> Peers) RabbitNode(string node)
    {
        var target = resources.Resource(node);
        var server = ParentOf(target);
        if (server is null || server.ServerKind() != ServerKind.RabbitMQ || server.ClusterNodes() is not { Count: > 0 } nodes)
        {
            throw new InvalidOperationException($"{node} is not a node of a RabbitMQ cluster (QueueLab:Topology=cluster runs one).");
        }

        return (target, server, [.. nodes.Where(n => n != target)]);
    }

    /// <summary>The clustered server a node belongs to (its parent resource), or null.</summary>
    private static IResource? ParentOf(IResource node) =>
        node.Annotations.OfType<ResourceRelationshipAnnotation>().FirstOrDefault(a => a.Type == "Parent")?.Resource;

    private static string NameOf(IResource node) => node.Annotations.OfType<ClusterNodeNameAnnotation>().Single().NodeName;

    /// <summary>The node of a clustered server that listens on <paramref name="port"/>.</summary>
    private string NodeListeningOn(string server, int port) =>
        resources.Nodes(server).FirstOrDefault(n => n.Annotations.OfType<EndpointAnnotation>().Any(e => e.Port == port))?.Name
        ?? throw new InvalidOperationException($"No node of {server} listens on port {port}.");

    /// <summary>Closes every client connection of a server: RabbitMQ (management API), Redis (<c>CLIENT KILL TYPE
    /// normal</c> and <c>pubsub</c>), PostgreSQL (<c>pg_terminate_backend</c>). Clients must reconnect on their own.</summary>
    public async Task<FaultResult> DropConnectionsAsync(string server, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var resource = resources.Resource(server);
        var connectionString = await LabResources.ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false);
        var dropped = resource.ServerKind() switch
        {
            ServerKind.Redis => await RedisAdmin.DropClientsAsync(connectionString).ConfigureAwait(false),
            ServerKind.RabbitMQ => await RabbitAdmin.DropClientsAsync(resource, connectionString, cancellationToken).ConfigureAwait(false),
            ServerKind.Postgres => await PostgresAdmin.DropClientsAsync(connectionString, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException(
                $"{server} has no way to drop its clients' connections; put a fault proxy in front of it (QueueLab:Chaos:Proxies={server}) and reset them there."),
        };
        return new FaultResult("drop connections", server, clock.Elapsed, $"{dropped} client connections closed");
    }

    /// <summary><c>CLIENT PAUSE</c> every client of Redis for <paramref name="duration"/> (the server holds their commands).</summary>
    public async Task<FaultResult> PauseRedisAsync(string server, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var resource = resources.Resource(server);
        if (resource.ServerKind() != ServerKind.Redis)
        {
            throw new InvalidOperationException($"{server} is not Redis; only Redis can be paused.");
        }

        await RedisAdmin.PauseAsync(await LabResources.ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false), duration).ConfigureAwait(false);
        return new FaultResult("pause", server, clock.Elapsed, $"every client paused for {duration.TotalMilliseconds:0} ms");
    }
}
