using System.Globalization;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// Waits that cost Redis and the caller nothing while there is nothing to do. Each is one blocking command, to be sent
/// only over a <see cref="BlockingConnection"/>.
/// </summary>
public static class BlockingReads
{
    /// <summary>
    /// Returns once <paramref name="list"/> holds an element, or after <paramref name="timeout"/>: <c>BLMOVE list list
    /// LEFT LEFT</c> pops the head and pushes it back to the head in one atomic step, so it moves nothing and changes
    /// no order, and a caller that dies while blocked leaves the list as it was.
    /// </summary>
    /// <returns>True when the list had an element.</returns>
    public static async Task<bool> WaitForListAsync(IDatabase database, RedisKey list, TimeSpan timeout) =>
        !(await database.ExecuteAsync("BLMOVE", list, list, "LEFT", "LEFT", Seconds(timeout)).ConfigureAwait(false)).IsNull;

    /// <summary>
    /// Returns once <paramref name="stream"/> has an entry after <paramref name="after"/>, or after
    /// <paramref name="timeout"/> (<c>XREAD BLOCK ms COUNT 1 STREAMS stream after</c>; it reads, it consumes nothing).
    /// </summary>
    /// <returns>True when there was such an entry.</returns>
    public static async Task<bool> WaitForStreamAsync(IDatabase database, RedisKey stream, string after, TimeSpan timeout) =>
        !(await database.ExecuteAsync("XREAD", "BLOCK", Math.Max(1, (long)timeout.TotalMilliseconds), "COUNT", 1, "STREAMS", stream, after)
            .ConfigureAwait(false)).IsNull;

    private static string Seconds(TimeSpan timeout) =>
        Math.Max(0.001, timeout.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
}
