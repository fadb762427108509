using System.Collections.Concurrent;
using QueueLab.Concurrency;
using StackExchange.Redis;

namespace QueueLab.Consumer;

/// <summary>
/// The Redis processing state: one key per queue + message + state, taken atomically with <c>SET key owner NX PX ttl</c>
/// and deleted (only by its owner) when processing ends, whichever way it ends. While this consumer holds a key it is
/// extended every third of the TTL (<see cref="RenewAsync"/>), so the TTL only bounds how long a crashed holder's keys
/// stay: a short TTL recovers a dead consumer's messages quickly without expiring a live one's mid-work. A key is
/// extended for at most <c>maxHold</c> after it was taken: a holder stuck for longer loses it, as it did with a long
/// TTL and no extension, so a hung handler cannot keep a message from every other consumer for ever.
/// <para>
/// Takes and releases that arrive together (one per concurrent delivery) go to Redis as one script call each way
/// (<see cref="MicroBatcher{TItem, TResult}"/>): a burst pays one round trip and one command per batch instead of one per
/// message, and each caller still gets its own key's answer. The keys of one batch are all on the one Redis pipeline
/// A uses (a Redis Cluster would need them grouped by slot first).
/// </para>
/// </summary>
public sealed class MessageTracker
{
    /// <summary>The most keys one script call takes or releases.</summary>
    public const int MaxBatch = 256;

    // ARGV[2i - 1] is the owner of KEYS[i], ARGV[2i] its TTL in ms; 1 where this call took the key, 0 where it was held.
    private const string TakeScript =
        "local r = {} for i, key in ipairs(KEYS) do r[i] = redis.call('set', key, ARGV[2 * i - 1], 'NX', 'PX', ARGV[2 * i]) and 1 or 0 end return r";

    // ARGV[i] is the owner of KEYS[i]; a key someone else holds now (it expired and was taken again) is left alone.
    private const string ReleaseScript =
        "local r = {} for i, key in ipairs(KEYS) do if redis.call('get', key) == ARGV[i] then r[i] = redis.call('del', key) else r[i] = 0 end end return r";

    // ARGV[1] is the TTL in ms, ARGV[i + 1] the owner of KEYS[i]; a key someone else holds now is left alone.
    private const string RenewScript =
        "local n = 0 for i, key in ipairs(KEYS) do if redis.call('get', key) == ARGV[i + 1] then redis.call('pexpire', key, ARGV[1]) n = n + 1 end end return n";

    private const int RenewChunk = 500;
    private readonly IConnectionMultiplexer _redis;
    private readonly ConcurrentDictionary<string, (string Owner, long TakenAt)> _held = new(StringComparer.Ordinal);
    private readonly MicroBatcher<(string Key, string Owner, long TtlMs), bool> _takes;
    private readonly MicroBatcher<(string Key, string Owner), bool> _releases;

    public MessageTracker(IConnectionMultiplexer redis)
    {
        _redis = redis;
        _takes = new(keys => RunAsync(TakeScript, keys.Select(k => k.Key), keys.SelectMany(k => new RedisValue[] { k.Owner, k.TtlMs }), keys.Count), MaxBatch);
        _releases = new(keys => RunAsync(ReleaseScript, keys.Select(k => k.Key), keys.Select(k => (RedisValue)k.Owner), keys.Count), MaxBatch);
    }

    /// <summary>Keys this consumer holds now.</summary>
    public int Held => _held.Count;

    /// <summary>True when this call took the key; false when someone else holds it.</summary>
    public async Task<bool> TryTakeAsync(string key, string owner, TimeSpan ttl)
    {
        if (!await _takes.SubmitAsync((key, owner, (long)ttl.TotalMilliseconds)))
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

        await _releases.SubmitAsync((key, owner));
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
            renewed += (long)await _redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [.. chunk.Select(h => (RedisKey)h.Key)], values);
        }

        return renewed;
    }

    /// <summary>Runs one script over a batch of keys; its reply has one 0 or 1 per key, in order.</summary>
    private async Task<IReadOnlyList<bool>> RunAsync(string script, IEnumerable<string> keys, IEnumerable<RedisValue> values, int count)
    {
        var reply = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(script, [.. keys.Select(k => (RedisKey)k)], [.. values]))!;
        if (reply.Length != count)
        {
            throw new InvalidOperationException($"The processing-key script answered {reply.Length} keys of {count}.");
        }

        return [.. reply.Select(r => (long)r == 1)];
    }
}
