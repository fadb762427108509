using RabbitMQ.Client;

namespace QueueLab.Rabbit;

/// <summary>How the lab's services connect to RabbitMQ.</summary>
public static class RabbitConnections
{
    /// <summary>
    /// How long the client waits before it reconnects after losing its connection. The client's default is 5 s, which
    /// the chaos suite measured as a 5 s stall after every dropped connection; a broker that is back answers in 1 s.
    /// </summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(1);

    public static void Configure(ConnectionFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        factory.AutomaticRecoveryEnabled = true;
        factory.TopologyRecoveryEnabled = true;
        factory.NetworkRecoveryInterval = RecoveryInterval;
    }

    /// <summary>
    /// <see cref="Configure"/>, and for a cluster every node's endpoint: a connection string
    /// <c>amqp://user:password@127.0.0.1:15673/?endpoints=127.0.0.1:15673,127.0.0.1:15683,127.0.0.1:15693</c> (the cluster
    /// topology's) makes the factory connect, and recover, to any node that answers, in a shuffled order. The factory's
    /// <c>Uri</c> (set by Aspire's RabbitMQ client integration from the same string) gives the credentials and node 0.
    /// </summary>
    public static Action<ConnectionFactory> For(string? connectionString) => factory =>
    {
        Configure(factory);
        if (connectionString is not null && Endpoints(connectionString) is { Count: > 1 } all)
        {
            factory.EndpointResolverFactory = _ => new DefaultEndpointResolver(all);
        }
    };

    /// <summary>A factory for a connection string, a cluster's every node included (see <see cref="For"/>), without recovery:
    /// what probes and tests open.</summary>
    public static ConnectionFactory Factory(string connectionString, string clientName)
    {
        var factory = new ConnectionFactory { Uri = new Uri(connectionString), ClientProvidedName = clientName };
        if (Endpoints(connectionString) is { Count: > 1 } all)
        {
            factory.EndpointResolverFactory = _ => new DefaultEndpointResolver(all);
        }

        return factory;
    }

    /// <summary>The endpoints a connection string names: its <c>endpoints=</c> query (host:port, comma-separated), else the
    /// URI's own host and port.</summary>
    public static IReadOnlyList<AmqpTcpEndpoint> Endpoints(string connectionString)
    {
        var uri = new Uri(connectionString);
        var list = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "endpoints" && p.Length == 2)?[1];
        if (string.IsNullOrEmpty(list))
        {
            return [new AmqpTcpEndpoint(uri.Host, uri.Port)];
        }

        return [.. Uri.UnescapeDataString(list).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e =>
        {
            var colon = e.LastIndexOf(':');
            return colon < 0 ? new AmqpTcpEndpoint(e) : new AmqpTcpEndpoint(e[..colon], int.Parse(e[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        })];
    }
}
