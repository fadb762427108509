using System.Collections.Concurrent;
using StackExchange.Redis;

namespace QueueLab.Consumer;

/// <summary>
/// The Redis processing state: one key per queue + message + state, taken atomically with <c>SET key owner NX PX ttl</c>
/// and deleted (only by its owner) when processing ends, whichever way it ends. While this consumer holds a key it is
/// extended every third of the TTL (<see cref="RenewAsync"/>), so the TTL only bounds how long a crashed holder's keys
/// stay: a short TTL recovers a dead consumer's messages quickly without expiring a live one's mid-work. A key is
/// extended for at most <c>maxHold</c> after it was taken: a holder stuck for longer loses it, as it did with a long
/// TTL and no extension, so a hung handler cannot keep a message from every other consumer for ever.
/// </summary>
public sealed class MessageTracker(IConnectionMultiplexer redis)
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    // ARGV[1] is the TTL in ms, ARGV[i + 1] the owner of KEYS[i]; a key someone else holds now is left alone.
    private const string RenewScript =
        "local n = 0 for i, key in ipairs(KEYS) do if redis.call('get', key) == ARGV[i + 1] then redis.call('pexpire', key, ARGV[1]) n = n + 1 end end return n";

    private const int RenewChunk = 500;
    private readonly ConcurrentDictionary<string, (string Owner, long TakenAt)> _held = new(StringComparer.Ordinal);

    /// <summary>Keys this consumer holds now.</summary>
    public int Held => _held.Count;

    /// <summary>True when this call took the key; false when someone else holds it.</summary>
    public async Task<bool> TryTakeAsync(string key, string owner, TimeSpan ttl)
    {
        var reply = await redis.GetDatabase().ExecuteAsync("SET", key, owner, "NX", "PX", (long)ttl.TotalMilliseconds);
        if (reply.IsNull)
        {
            return false;
        }

        _held[key] = (owner, Environment.TickCount64);
        return true;
    }

    /// <summary>Deletes the key if <paramref name="owner"/> still holds it (an expired and re-taken key is left alone).</summary>
    public async Task ReleaseAsync(string key, string owner)
    {
        if (_held.TryGetValue(key, out var held) && held.Owner == owner)
        {
            _held.TryRemove(new KeyValuePair<string, (string, long)>(key, held));
        }

        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [key], [owner]);
    }

    /// <summary>Extends every key this consumer took less than <paramref name="maxHold"/> ago and still holds to
    /// <paramref name="ttl"/>; returns how many it extended.</summary>
    public async Task<long> RenewAsync(TimeSpan ttl, TimeSpan maxHold)
    {
        var now = Environment.TickCount64;
        var held = _held.Where(h => now - h.Value.TakenAt < (long)maxHold.TotalMilliseconds)
            .Select(h => new KeyValuePair<string, string>(h.Key, h.Value.Owner)).ToArray();
        long renewed = 0;
        foreach (var chunk in held.Chunk(RenewChunk))
        {
            RedisValue[] values = [(long)ttl.TotalMilliseconds, .. chunk.Select(h => (RedisValue)h.Value)];
            renewed += (long)await redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [.. chunk.Select(h => (RedisKey)h.Key)], values);
        }

        return renewed;
    }
}
