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

    public IEnumerable<(string Name, int Port)> All() =>
    [
        (nameof(RabbitMQ), RabbitMQ), (nameof(RabbitMQManagement), RabbitMQManagement),
        (nameof(RabbitMQDistribution), RabbitMQDistribution), (nameof(Epmd), Epmd), (nameof(Redis), Redis),
        (nameof(Postgres), Postgres), (nameof(Etcd), Etcd), (nameof(EtcdPeer), EtcdPeer),
        (nameof(Coordinator), Coordinator), (nameof(Publisher), Publisher),
    ];

    /// <summary>
    /// <paramref name="count"/> distinct free ports on 127.0.0.1, from outside the system's ephemeral range. A port is
    /// chosen here and bound later by a server; one from the ephemeral range could be handed out meanwhile to anything
    /// that asks the system for a port (the orchestrator's proxies in front of the services, the source port of any
    /// outgoing connection), and then the server cannot bind it. That happened: Redis found its port taken by a
    /// service's proxy and the lab never became healthy; the same race awaits a server restarted on its port.
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var (low, high) = UnassignedRange();
        var chosen = new List<TcpListener>();
        try
        {
            // Hold every listener open until all are chosen, so the same port is never handed out twice.
            for (var attempt = 0; chosen.Count < count && attempt < count * 200; attempt++)
            {
                var listener = new TcpListener(IPAddress.Loopback, System.Random.Shared.Next(low, high));
                try
                {
                    listener.Start();
                    chosen.Add(listener);
                }
                catch (SocketException)
                {
                    // In use (or just released and lingering): try another.
                }
            }

            if (chosen.Count < count)
            {
                throw new InvalidOperationException($"Found only {chosen.Count} of {count} free ports between {low} and {high} on 127.0.0.1.");
            }

            return [.. chosen.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            chosen.ForEach(l => l.Stop());
        }
    }

    /// <summary>The ports no one gets from the system unasked: below its ephemeral range (Linux: 32768–60999), else above.</summary>
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

        return ephemeralLow >= 21000 ? (20000, ephemeralLow)
            : ephemeralHigh <= 64535 ? (ephemeralHigh + 1, 65536)
            : (1024, 65536); // The whole range is ephemeral: take whatever is free.
    }
}
