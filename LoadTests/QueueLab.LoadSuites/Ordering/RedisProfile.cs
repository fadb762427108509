using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>One command's calls and server time (INFO commandstats).</summary>
public sealed record RedisCommandCost(string Command, long Calls, long Microseconds);

/// <summary>
/// A profile of the Redis side of a run: the difference of <c>INFO commandstats</c> before and after, so the report
/// says how many calls each message cost and how much of the run Redis (single-threaded) spent executing them (on a
/// Redis Cluster, every primary's added up: their busy time can exceed the run's length).
/// </summary>
public sealed record RedisProfile(IReadOnlyList<RedisCommandCost> Commands)
{
    public long Calls => Commands.Sum(c => c.Calls);

    public TimeSpan Busy => TimeSpan.FromMicroseconds(Commands.Sum(c => c.Microseconds));

    public static async Task<IReadOnlyDictionary<string, (long Calls, long Usec)>> SnapshotAsync(IConnectionMultiplexer redis)
    {
        // Every primary's figures added up (a Redis Cluster's shards each run their share).
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            Add(stats, await server.InfoAsync("commandstats").ConfigureAwait(false));
        }

        return stats;
    }

    private static void Add(Dictionary<string, (long Calls, long Usec)> stats, IGrouping<string, KeyValuePair<string, string>>[] info)
    {
        foreach (var (key, value) in info.SelectMany(g => g))
        {
            if (!key.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            long calls = 0, usec = 0;
            foreach (var part in value.Split(','))
            {
                var pair = part.Split('=');
                if (pair.Length == 2 && pair[0] == "calls")
                {
                    calls = long.Parse(pair[1], CultureInfo.InvariantCulture);
                }
                else if (pair.Length == 2 && pair[0] == "usec")
                {
                    usec = long.Parse(pair[1], CultureInfo.InvariantCulture);
                }
            }

            var name = key["cmdstat_".Length..];
            var (c, u) = stats.GetValueOrDefault(name);
            stats[name] = (c + calls, u + usec);
        }
    }

    /// <summary>Redis's <c>used_memory</c> (bytes the allocator holds for data and overhead), from <c>INFO memory</c>.</summary>
    public static async Task<long> UsedMemoryAsync(IConnectionMultiplexer redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        long total = 0;
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            var info = await server.InfoAsync("memory").ConfigureAwait(false);
            var used = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "used_memory").Value;
            total += long.Parse(used ?? throw new FormatException("INFO memory has no used_memory."), CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>
    /// Each primary's main-thread CPU seconds (<c>INFO cpu</c>: <c>used_cpu_user_main_thread</c> +
    /// <c>used_cpu_sys_main_thread</c>), by endpoint. Redis runs every command on that one thread, so the main thread's
    /// CPU per message bounds what any client can get through that server.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, double>> MainThreadSecondsAsync(IConnectionMultiplexer redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            var info = (await server.InfoAsync("cpu").ConfigureAwait(false)).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            seconds[server.EndPoint.ToString() ?? ""] =
                double.Parse(info.GetValueOrDefault("used_cpu_user_main_thread") ?? throw new FormatException("INFO cpu has no used_cpu_user_main_thread."), CultureInfo.InvariantCulture)
                + double.Parse(info.GetValueOrDefault("used_cpu_sys_main_thread") ?? "0", CultureInfo.InvariantCulture);
        }

        return seconds;
    }

    /// <summary>As <see cref="MainThreadSecondsAsync"/>, or null when the server will not say (INFO denied on a lab this
    /// runner did not start, a Redis older than 6.2 without the main-thread figures, a node unreachable): the run's other
    /// figures stand without it.</summary>
    public static async Task<IReadOnlyDictionary<string, double>?> TryMainThreadSecondsAsync(IConnectionMultiplexer redis)
    {
        try
        {
            return await MainThreadSecondsAsync(redis).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or FormatException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The busiest primary's main-thread CPU per message between two <see cref="MainThreadSecondsAsync"/> readings,
    /// in µs; only primaries read both times count (one promoted between them has no difference to give).</summary>
    public static double MainThreadMicrosPerMessage(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after, long messages) =>
        messages <= 0 || !after.Keys.Any(before.ContainsKey) ? 0
            : after.Where(a => before.ContainsKey(a.Key)).Max(a => a.Value - before[a.Key]) * 1e6 / messages;

    public static RedisProfile Between(IReadOnlyDictionary<string, (long Calls, long Usec)> before, IReadOnlyDictionary<string, (long Calls, long Usec)> after) =>
        new([.. after
            .Select(a => before.TryGetValue(a.Key, out var b)
                ? new RedisCommandCost(a.Key, a.Value.Calls - b.Calls, a.Value.Usec - b.Usec)
                : new RedisCommandCost(a.Key, a.Value.Calls, a.Value.Usec))
            .Where(c => c.Calls > 0)
            .OrderByDescending(c => c.Microseconds)]);

    /// <summary>"N calls (x per message), busy X s = Y% of the run; top: evalsha ..."</summary>
    public string Describe(long messages, TimeSpan measured)
    {
        var top = string.Join(", ", Commands.Take(3).Select(c => $"{c.Command} {c.Calls} calls {c.Microseconds / Math.Max(1, c.Calls)} us each"));
        var share = measured > TimeSpan.Zero ? Busy / measured : 0;
        return $"{Calls} calls ({(messages > 0 ? Calls / (double)messages : 0).ToString("0.0", CultureInfo.InvariantCulture)} per message), " +
               $"busy {Busy.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s = {(share * 100).ToString("0.0", CultureInfo.InvariantCulture)}% of the run; top: {top}";
    }

    public string Csv()
    {
        var csv = new StringBuilder("command,calls,usec,usec_per_call\n");
        foreach (var c in Commands)
        {
            csv.Append(c.Command).Append(',').Append(c.Calls).Append(',').Append(c.Microseconds).Append(',')
                .Append((c.Microseconds / (double)Math.Max(1, c.Calls)).ToString("0.00", CultureInfo.InvariantCulture)).Append('\n');
        }

        return csv.ToString();
    }
}
