using System.Net;
using System.Net.Sockets;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// The host ports of the lab's servers, and of the HTTP services a README command calls (the coordinators, behind
/// one proxy port for all replicas, and the publisher). Fixed and documented under <c>dotnet run</c> (so redis-cli, psql,
/// etcdctl and the management page can reach them), chosen free at random under the testing builder so runs
/// cannot collide. Configured under <c>QueueLab:Ports</c>.
/// </summary>
public sealed record LabPorts(
    int RabbitMQ,
    int RabbitMQManagement,
    int RabbitMQDistribution,
    int Epmd,
    int Redis,
    int Postgres,
    int Etcd,
    int EtcdPeer,
    int Coordinator,
    int Publisher)
{
    /// <summary>The documented defaults: away from the servers' standard ports, so a system-wide install
    /// of the same server (which Debian starts on its standard port) cannot collide with the lab.</summary>
    public static LabPorts Defaults { get; } = new(
        RabbitMQ: 15673,
        RabbitMQManagement: 15674,
        RabbitMQDistribution: 25673,
        Epmd: 14369,
        Redis: 16379,
        Postgres: 15432,
        Etcd: 12379,
        EtcdPeer: 12380,
        Coordinator: 15080,
        Publisher: 15081);

    public static LabPorts Random()
    {
        var ports = FreePorts(10);
        return new(ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7], ports[8], ports[9]);
    }

    /// <summary>How far apart the nodes of a cluster are on fixed ports: node i listens on the single server's port + 10·i.</summary>
    public const int ClusterNodeStep = 10;

    /// <summary>
    /// The client and peer ports of etcd's three members in the cluster topology: member 0 on <see cref="Etcd"/> and
    /// <see cref="EtcdPeer"/> (every documented etcdctl command reaches it), member i on those + 10·i; at random, free ones.
    /// </summary>
    public (int Client, int Peer)[] EtcdMembers(bool random)
    {
        var free = random ? FreePorts(4) : [];
        return [.. Enumerable.Range(0, 3).Select(i => i == 0 ? (Etcd, EtcdPeer)
            : random ? (free[2 * (i - 1)], free[(2 * (i - 1)) + 1])
            : (Etcd + (ClusterNodeStep * i), EtcdPeer + (ClusterNodeStep * i)))];
    }

    /// <summary>How far the Sentinels' fixed ports are from Redis's in the cluster topology (17379, 17389, 17399 by default).</summary>
    public const int SentinelOffset = 1000;

    /// <summary>
    /// Redis in the cluster topology: the ports of its three data nodes (node 0 on <see cref="Redis"/>, node i on it + 10·i) and
    /// of its three Sentinels (<see cref="Redis"/> + 1000 + 10·i); at random, free ones.
    /// </summary>
    public (int[] Nodes, int[] Sentinels) RedisSentinelNodes(bool random)
    {
        if (random)
        {
            var free = FreePorts(5);
            return ([Redis, free[0], free[1]], [.. free[2..]]);
        }

        return ([.. Enumerable.Range(0, 3).Select(i => Redis + (ClusterNodeStep * i))],
            [.. Enumerable.Range(0, 3).Select(i => Redis + SentinelOffset + (ClusterNodeStep * i))]);
    }

    /// <summary>How far a member's own peer port is from the one it advertises (which the lab's peer proxy holds).</summary>
    public const int EtcdPeerBehindProxyOffset = 5;

    /// <summary>
    /// Where etcd's three members listen for their peers in the cluster topology, behind the lab's peer proxies (which hold the
    /// advertised peer ports of <see cref="EtcdMembers"/>, so the lab can cut a member off from the others): each advertised
    /// peer port + 5 (12385, 12395, 12405 by default); at random, free ones.
    /// </summary>
    public int[] EtcdPeersBehindProxy(bool random) =>
        random ? FreePorts(3) : [.. Enumerable.Range(0, 3).Select(i => EtcdPeer + EtcdPeerBehindProxyOffset + (ClusterNodeStep * i))];

    /// <summary>
    /// RabbitMQ's three nodes in the cluster topology: AMQP, management and Erlang distribution ports, node 0 on the single
    /// server's, node i on those + 10·i; at random, free ones. The nodes share the one epmd (<see cref="Epmd"/>).
    /// </summary>
    public (int Amqp, int Management, int Distribution)[] RabbitMQNodes(bool random)
    {
        var free = random ? FreePorts(6) : [];
        return [.. Enumerable.Range(0, 3).Select(i => i == 0 ? (RabbitMQ, RabbitMQManagement, RabbitMQDistribution)
            : random ? (free[3 * (i - 1)], free[(3 * (i - 1)) + 1], free[(3 * (i - 1)) + 2])
            : (RabbitMQ + (ClusterNodeStep * i), RabbitMQManagement + (ClusterNodeStep * i), RabbitMQDistribution + (ClusterNodeStep * i)))];
    }

    /// <summary>The fixed ports the cluster topology adds beside <see cref="All"/> (node 0 of each cluster keeps its server's),
    /// named for a clash's message: Redis's other nodes and its Sentinels, and etcd's other members and RabbitMQ's other nodes
    /// where the lab runs them.</summary>
    public IEnumerable<(string Name, int Port)> ClusterNodes(bool etcd, bool rabbitMQ = false)
    {
        var rabbit = !rabbitMQ ? [] : RabbitMQNodes(random: false).Skip(1).SelectMany((n, i) => new[]
            { ($"messaging-{i + 1} AMQP", n.Amqp), ($"messaging-{i + 1} management", n.Management), ($"messaging-{i + 1} distribution", n.Distribution) });
        var (nodes, sentinels) = RedisSentinelNodes(random: false);
        var redis = nodes.Skip(1).Select((p, i) => ($"cache-{i + 1}", p)).Concat(sentinels.Select((p, i) => ($"cache-sentinel-{i}", p)));
        var members = !etcd ? [] : EtcdMembers(random: false).Skip(1)
            .SelectMany((m, i) => new[] { ($"etcd-{i + 1} client", m.Client), ($"etcd-{i + 1} peer", m.Peer) })
            .Concat(EtcdPeersBehindProxy(random: false).Select((p, i) => ($"etcd-{i} peer behind the lab's proxy", p)));
        return redis.Concat(members).Concat(rabbit);
    }

    public IEnumerable<(string Name, int Port)> All() =>
    [
        (nameof(RabbitMQ), RabbitMQ), (nameof(RabbitMQManagement), RabbitMQManagement),
        (nameof(RabbitMQDistribution), RabbitMQDistribution), (nameof(Epmd), Epmd), (nameof(Redis), Redis),
        (nameof(Postgres), Postgres), (nameof(Etcd), Etcd), (nameof(EtcdPeer), EtcdPeer),
        (nameof(Coordinator), Coordinator), (nameof(Publisher), Publisher),
    ];

    /// <summary>
    /// <paramref name="count"/> distinct free ports on 127.0.0.1 that no one else hands out. A port is chosen here and
    /// bound later by a server; meanwhile the system may give a port from its ephemeral range to anything that asks (the
    /// orchestrator's proxies in front of the services, an outgoing connection's source port), and the orchestrator gives
    /// the services themselves ports from its own range (10000–32767). Either could take the server's port first, and
    /// then the server cannot bind it: that happened (Redis found its port taken by a service's proxy and the lab never
    /// became healthy), and a server restarted on its port runs the same risk. So the ports come from outside both
    /// ranges (<see cref="UnassignedRange"/>), and none is handed out twice in one process (a lab asks more than once:
    /// its servers, then its fault proxies, before anything binds).
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var (low, high) = UnassignedRange();
        var chosen = new List<TcpListener>();
        try
        {
            lock (HandedOut)
            {
                // Hold every listener open until all are chosen, so the same port is never handed out twice.
                for (var attempt = 0; chosen.Count < count && attempt < count * 200; attempt++)
                {
                    var port = System.Random.Shared.Next(low, high);
                    if (HandedOut.Contains(port))
                    {
                        continue;
                    }

                    var listener = new TcpListener(IPAddress.Loopback, port);
                    try
                    {
                        listener.Start();
                        chosen.Add(listener);
                    }
                    catch (SocketException)
                    {
                        // In use: try another.
                        listener.Dispose();
                    }
                }

                if (chosen.Count < count)
                {
                    throw new InvalidOperationException($"Found only {chosen.Count} of {count} free ports between {low} and {high - 1} on 127.0.0.1.");
                }

                var ports = chosen.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
                HandedOut.UnionWith(ports);
                return ports;
            }
        }
        finally
        {
            chosen.ForEach(l => l.Dispose());
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>The orchestrator's own range for the services' ports (DCP's default proxyless endpoint range).</summary>
    public static (int Low, int High) OrchestratorRange { get; } = (10000, 32768);

    /// <summary>
    /// Ports that neither the system (its ephemeral range; Linux: 32768–60999) nor the orchestrator hands out unasked:
    /// above the ephemeral range, else between the orchestrator's range and the ephemeral one. High is exclusive.
    /// </summary>
    public static (int Low, int High) UnassignedRange()
    {
        var (ephemeralLow, ephemeralHigh) = (32768, 60999);
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            (ephemeralLow, ephemeralHigh) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: the Linux default.
        }

        var above = Math.Max(ephemeralHigh + 1, OrchestratorRange.High);
        return 65536 - above >= 1000 ? (above, 65536)
            : ephemeralLow - OrchestratorRange.High >= 1000 ? (OrchestratorRange.High, ephemeralLow)
            : (1024, 65536); // No such range on this machine: take whatever is free.
    }
}
