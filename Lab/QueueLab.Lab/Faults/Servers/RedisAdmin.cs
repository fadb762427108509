using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>Redis as the fault library drives it: its clients dropped, or paused.</summary>
public static class RedisAdmin
{
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
