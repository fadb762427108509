using System.Net;
using System.Net.Sockets;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// The host ports of the lab's servers. Fixed and documented under <c>dotnet run</c> (so redis-cli, psql,
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
    int EtcdPeer)
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
        EtcdPeer: 12380);

    public static LabPorts Random()
    {
        var ports = FreePorts(8);
        return new(ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7]);
    }

    public IEnumerable<(string Name, int Port)> All() =>
    [
        (nameof(RabbitMQ), RabbitMQ), (nameof(RabbitMQManagement), RabbitMQManagement),
        (nameof(RabbitMQDistribution), RabbitMQDistribution), (nameof(Epmd), Epmd), (nameof(Redis), Redis),
        (nameof(Postgres), Postgres), (nameof(Etcd), Etcd), (nameof(EtcdPeer), EtcdPeer),
    ];

    /// <summary><paramref name="count"/> distinct free ports on 127.0.0.1.</summary>
    public static int[] FreePorts(int count)
    {
        // Hold every listener open until all are chosen, so the same port is never handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
