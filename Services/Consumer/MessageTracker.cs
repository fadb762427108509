using StackExchange.Redis;

namespace QueueLab.Consumer;

/// <summary>
/// The Redis processing state: one key per queue + message + state, taken atomically with <c>SET key owner NX PX ttl</c>
/// and deleted (only by its owner) when processing ends, whichever way it ends.
/// </summary>
public sealed class MessageTracker(IConnectionMultiplexer redis)
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /// <summary>True when this call took the key; false when someone else holds it.</summary>
    public async Task<bool> TryTakeAsync(string key, string owner, TimeSpan ttl)
    {
        var reply = await redis.GetDatabase().ExecuteAsync("SET", key, owner, "NX", "PX", (long)ttl.TotalMilliseconds);
        return !reply.IsNull;
    }

    /// <summary>Deletes the key if <paramref name="owner"/> still holds it (an expired and re-taken key is left alone).</summary>
    public async Task ReleaseAsync(string key, string owner) =>
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [key], [owner]);
}
