using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>One processor's view of Redis: every call is one atomic script (or one command).</summary>
public sealed class ProcessorStore(IDatabase database, OrderingKeys keys, string processorId)
{
    public string ProcessorId => processorId;

    public OrderingKeys Keys => keys;

    public Task HeartbeatAsync(TimeSpan ttl) =>
        database.StringSetAsync(keys.Heartbeat(processorId), "1", ttl);

    public async Task<IReadOnlyList<TakenMessage>> TakeAsync(int count)
    {
        var result = await database.ScriptEvaluateAsync(ProcessorScripts.Take,
            [keys.Input, keys.InFlight(processorId), keys.Processors, keys.Claims], [count, processorId]).ConfigureAwait(false);
        if (result.IsNull)
        {
            return [];
        }

        var items = (RedisResult[])result!;
        var taken = new List<TakenMessage>(items.Length / 2);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            taken.Add(new TakenMessage((string)items[i]!, (SeqClaim)(long)items[i + 1]));
        }

        return taken;
    }

    /// <summary>Everything in this processor's in-flight list (a few messages: at most its in-flight limit).</summary>
    public async Task<IReadOnlyList<string>> InFlightAsync() =>
        [.. (await database.ListRangeAsync(keys.InFlight(processorId)).ConfigureAwait(false)).Select(v => (string)v!)];

    public async Task<bool> ClaimAsync(long seq, string raw) =>
        (long)await database.ScriptEvaluateAsync(ProcessorScripts.Claim, [keys.Claims], [seq, raw]).ConfigureAwait(false) == 1;

    /// <returns>Whether the message was still in this processor's in-flight list.</returns>
    public async Task<bool> CompleteAsync(long seq, string raw, string body, string traceParent, long processedAtMs, bool recordInRedis) =>
        (await CompleteManyAsync([new Completion(seq, raw, body, traceParent, processedAtMs)], recordInRedis).ConfigureAwait(false))[0];

    /// <summary>Completes several messages in one atomic script call.</summary>
    /// <returns>Per message, whether it was still in this processor's in-flight list.</returns>
    public async Task<IReadOnlyList<bool>> CompleteManyAsync(IReadOnlyList<Completion> completions, bool recordInRedis)
    {
        if (completions.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[1 + (completions.Count * 5)];
        args[0] = recordInRedis ? "1" : "0";
        for (var i = 0; i < completions.Count; i++)
        {
            var c = completions[i];
            var at = 1 + (i * 5);
            args[at] = c.Seq;
            args[at + 1] = c.Raw;
            args[at + 2] = c.Body;
            args[at + 3] = c.TraceParent;
            args[at + 4] = c.ProcessedAtMs;
        }

        var removed = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Complete,
            [keys.Records, keys.Results, keys.InFlight(processorId)], args).ConfigureAwait(false))!;
        return [.. removed.Select(r => (long)r > 0)];
    }

    public Task DeadLetterAsync(string raw, string entry, long? seq, bool recordSkip, string reason) =>
        database.ScriptEvaluateAsync(ProcessorScripts.DeadLetter,
            [keys.DeadLetter, keys.InFlight(processorId), keys.Skipped, keys.Results],
            [raw, entry, seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", recordSkip && seq is not null ? "1" : "0", reason]);

    /// <summary>Returns the in-flight messages of every processor whose heartbeat expired to the input.</summary>
    public Task<ReapResult> ReapDeadAsync() => ReapAsync("");

    /// <summary>Returns this processor's own in-flight messages to the input and unregisters it (graceful stop).</summary>
    public Task<ReapResult> ReturnOwnAsync() => ReapAsync(processorId);

    private async Task<ReapResult> ReapAsync(string only)
    {
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Reap,
            [keys.Processors, keys.Input], [keys.HeartbeatPrefix, keys.InFlightPrefix, only]).ConfigureAwait(false))!;
        return new ReapResult((long)result[0], (long)result[1]);
    }
}
