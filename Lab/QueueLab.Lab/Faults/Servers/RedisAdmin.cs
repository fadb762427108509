using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>Redis as the fault library drives it: its clients dropped, or paused; a node behind Sentinels cut off from its
/// peers.</summary>
public static class RedisAdmin
{
    /// <summary>
    /// The user a Redis behind Sentinels gives its peers (the replicas' link to the primary, the Sentinels), the services
    /// authenticating as the default user: a node with this user switched off is cut off from its peers while its clients
    /// stay connected (<see cref="IsolateAsync"/>).
    /// </summary>
    public const string PeerUser = "queuelab-peer";

    /// <summary>Where a node's replication link authenticates while it is isolated: a user no node has.</summary>
    private const string NoUser = "queuelab-peer-isolated";

    /// <summary>
    /// Cuts the node at <paramref name="port"/> off from its peers: the peers' user switched off on it and their connections
    /// closed (the replicas' links to it and the Sentinels' connections: they can no longer authenticate), and its own
    /// replication link, if it is a replica, made to authenticate as a user that does not exist. Its clients, the default
    /// user, stay connected and served: the split a network partition between the nodes makes. Returns the peers'
    /// connections it closed. <see cref="HealAsync"/> ends it.
    /// </summary>
    public static async Task<long> IsolateAsync(int port, string password)
    {
        await using var node = await NodeAsync(port, password).ConfigureAwait(false);
        var server = node.GetServer("127.0.0.1", port);
        await server.ExecuteAsync("ACL", "SETUSER", PeerUser, "off").ConfigureAwait(false);
        await server.ExecuteAsync("CONFIG", "SET", "masteruser", NoUser).ConfigureAwait(false);
        var closed = (long)await server.ExecuteAsync("CLIENT", "KILL", "USER", PeerUser).ConfigureAwait(false);
        // Its link to its primary, if it is a replica (a connection it opened: not one of its clients).
        closed += (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "master").ConfigureAwait(false);
        return closed;
    }

    /// <summary>Lets an isolated node meet its peers again: their user on, its own replication link as that user.</summary>
    public static async Task HealAsync(int port, string password)
    {
        await using var node = await NodeAsync(port, password).ConfigureAwait(false);
        var server = node.GetServer("127.0.0.1", port);
        await server.ExecuteAsync("ACL", "SETUSER", PeerUser, "on").ConfigureAwait(false);
        await server.ExecuteAsync("CONFIG", "SET", "masteruser", PeerUser).ConfigureAwait(false);
    }

    /// <summary><c>INFO replication</c> of the node at <paramref name="port"/> (its role, its primary and link, its replicas).</summary>
    public static async Task<string> InfoReplicationAsync(int port, string password)
    {
        await using var node = await NodeAsync(port, password).ConfigureAwait(false);
        return (string?)await node.GetServer("127.0.0.1", port).ExecuteAsync("INFO", "replication").ConfigureAwait(false) ?? "";
    }

    /// <summary>A connection to one node alone (not following a Sentinel's answer), as the default user.</summary>
    public static Task<ConnectionMultiplexer> NodeAsync(int port, string password) =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            Password = password,
            AllowAdmin = true,
            ClientName = "queuelab-lab",
            AbortOnConnectFail = false,
        });

    public static async Task<ConnectionMultiplexer> ConnectAsync(string connectionString, string clientName = "queuelab-lab")
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        options.ClientName = clientName;
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    /// <summary>
    /// Where the primary of a Redis behind Sentinels is (the connection string names the Sentinels and <c>serviceName</c>): the
    /// address a majority of the Sentinels gives for it, or null while no majority agrees (a failover under way, or too few
    /// Sentinels answer). Each Sentinel is asked on a short connection of its own (<see cref="SentinelQuery"/>).
    /// </summary>
    public static async Task<IPEndPoint?> SentinelPrimaryAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        if (string.IsNullOrEmpty(options.ServiceName))
        {
            throw new InvalidOperationException("This Redis is not behind Sentinels: its connection string has no serviceName.");
        }

        var answers = await Task.WhenAll(options.EndPoints.OfType<IPEndPoint>().Select(async endpoint =>
            (await SentinelQuery.PrimaryAsync(endpoint.Address.ToString(), endpoint.Port, options.SentinelPassword ?? options.Password, options.ServiceName,
                TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))?.ToString())).ConfigureAwait(false);

        var named = answers.OfType<string>().GroupBy(a => a).OrderByDescending(g => g.Count()).FirstOrDefault();
        return named is not null && named.Count() * 2 > answers.Length && IPEndPoint.TryParse(named.Key, out var primary) ? primary : null;
    }

    /// <summary><c>CLIENT KILL TYPE normal</c> and <c>pubsub</c> (all but this connection), on every node of the
    /// connection string (a Redis Cluster's primaries each); returns how many were closed.</summary>
    public static async Task<long> DropClientsAsync(string connectionString)
    {
        await using var redis = await ConnectAsync(connectionString).ConfigureAwait(false);
        long dropped = 0;
        foreach (var server in redis.GetServers())
        {
            foreach (var type in new[] { "normal", "pubsub" })
            {
                dropped += (long)await server.ExecuteAsync("CLIENT", "KILL", "TYPE", type, "SKIPME", "yes").ConfigureAwait(false);
            }
        }

        return dropped;
    }

    /// <summary><c>CLIENT PAUSE ms ALL</c>: the server holds every client's commands for <paramref name="duration"/>.</summary>
    public static async Task PauseAsync(string connectionString, TimeSpan duration)
    {
        await using var redis = await ConnectAsync(connectionString).ConfigureAwait(false);
        // Every node at once: a Redis Cluster pauses as a whole.
        await Task.WhenAll(redis.GetServers().Select(server =>
            server.ExecuteAsync("CLIENT", "PAUSE", ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "ALL"))).ConfigureAwait(false);
    }
}
