using System.Globalization;
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
