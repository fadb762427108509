using System.Globalization;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// One processor's view of Redis: every call is one atomic script (or one command). Messages travel as their exact
/// bytes: a message that is not valid UTF-8 is removed from the in-flight list by the same bytes that were taken.
/// </summary>
public sealed class ProcessorStore(IDatabase database, OrderingKeys keys, string processorId)
{
    public string ProcessorId => processorId;

    /// <summary>The scripts' mode argument: 'g' (global order) or 'k' (per key).</summary>
    private string Mode => keys.PerKey ? "k" : "g";

    /// <summary>Where the partition's next seq is kept: next-seq (global order), or next-seqs (per key, one per key).</summary>
    private RedisKey NextSeqKey => keys.PerKey ? keys.NextSeqs : keys.NextSeq;

    public OrderingKeys Keys => keys;

    public Task HeartbeatAsync(TimeSpan ttl) =>
        database.StringSetAsync(keys.Heartbeat(processorId), "1", ttl);

    /// <summary>
    /// Moves up to <paramref name="count"/> messages into this processor's in-flight list: quarantined ones first
    /// (<see cref="TakenBatch.Quarantined"/> of them, to be dead-lettered), then from the head of the input.
    /// </summary>
    public async Task<TakenBatch> TakeAsync(int count)
    {
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Take,
            [keys.Input, keys.InFlight(processorId), keys.Processors, keys.Quarantine], [count, processorId]).ConfigureAwait(false))!;
        return new TakenBatch([.. result.Skip(1).Select(r => (byte[])r!)], (int)(long)result[0]);
    }

    /// <summary>
    /// Parses each taken message (the one decision on its validity) and claims the seqs the parser found, in one
    /// script call for the whole batch, in the order they were taken. A seq (per key, a key) of another partition is not
    /// claimed (<see cref="SeqClaim.WrongPartition"/>).
    /// </summary>
    public async Task<IReadOnlyList<TakenMessage>> PrepareAsync(IReadOnlyList<byte[]> raws, ParserLimits limits)
    {
        var parsed = new ParsedMessage[raws.Count];
        var fingerprints = new string[raws.Count];
        var ids = new string?[raws.Count];
        var args = new List<RedisValue>(2 + (raws.Count * 3)) { Mode, keys.FirstSeq };
        for (var i = 0; i < raws.Count; i++)
        {
            parsed[i] = MessageParser.Parse(raws[i], limits);
            fingerprints[i] = MessageFingerprint.Of(raws[i]);
            ids[i] = keys.ClaimIdOf(parsed[i].Seq, parsed[i].Key);
            if (ids[i] is { } id && keys.OwnsMessage(parsed[i].Seq!.Value, parsed[i].Key))
            {
                args.Add(id);
                args.Add(parsed[i].Seq!.Value);
                args.Add(fingerprints[i]);
            }
        }

        var claims = args.Count == 2
            ? []
            : (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Claim,
                [keys.Claims, NextSeqKey], [.. args]).ConfigureAwait(false))!;
        var taken = new TakenMessage[raws.Count];
        var next = 0;
        for (var i = 0; i < raws.Count; i++)
        {
            var claim = ids[i] is null ? SeqClaim.None
                : !keys.OwnsMessage(parsed[i].Seq!.Value, parsed[i].Key) ? SeqClaim.WrongPartition
                : (SeqClaim)(long)claims[next++];
            taken[i] = new TakenMessage(raws[i], fingerprints[i], parsed[i], claim, ids[i]);
        }

        return taken;
    }

    /// <summary>Everything in this processor's in-flight list (a few messages: at most its in-flight limit).</summary>
    public async Task<IReadOnlyList<byte[]>> InFlightAsync() =>
        [.. (await database.ListRangeAsync(keys.InFlight(processorId)).ConfigureAwait(false)).Select(v => (byte[])v!)];

    /// <summary>Marks the seqs of messages about to be recorded outside Redis as pending a record (PostgreSQL).</summary>
    /// <returns>Per message, whether to go ahead (false: its seq is decided; dead-letter it as a duplicate).</returns>
    public async Task<IReadOnlyList<bool>> ReserveAsync(IReadOnlyList<Completion> completions)
    {
        var args = new RedisValue[2 + (completions.Count * 2)];
        args[0] = Mode;
        args[1] = keys.FirstSeq;
        for (var i = 0; i < completions.Count; i++)
        {
            args[2 + (2 * i)] = completions[i].Id;
            args[3 + (2 * i)] = completions[i].Fingerprint;
        }

        var result = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Reserve, [keys.Claims, NextSeqKey], args).ConfigureAwait(false))!;
        return [.. result.Select(r => (long)r == 1)];
    }

    /// <summary>Completes several messages in one atomic script call.</summary>
    public async Task<IReadOnlyList<CompletionOutcome>> CompleteManyAsync(IReadOnlyList<Completion> completions, bool recordInRedis)
    {
        if (completions.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[3 + (completions.Count * 6)];
        args[0] = recordInRedis ? "1" : "0";
        args[1] = Mode;
        args[2] = keys.FirstSeq;
        for (var i = 0; i < completions.Count; i++)
        {
            var c = completions[i];
            var at = 3 + (i * 6);
            args[at] = c.Id;
            args[at + 1] = c.Raw;
            args[at + 2] = c.Fingerprint;
            args[at + 3] = c.Body;
            args[at + 4] = c.TraceParent;
            args[at + 5] = c.ProcessedAtMs;
        }

        var outcomes = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Complete,
            [keys.Claims, keys.Records, keys.Results, keys.InFlight(processorId), keys.Reclaims, NextSeqKey], args).ConfigureAwait(false))!;
        return [.. outcomes.Select(r => (CompletionOutcome)(long)r)];
    }

    /// <param name="id">The claim id to skip (the seq; per key <c>key#seq</c>), or null when there is none.</param>
    public async Task<DeadLetterOutcome> DeadLetterAsync(byte[] raw, string fingerprint, string entry, string? id, SkipMode skip, string reason) =>
        (DeadLetterOutcome)(long)await database.ScriptEvaluateAsync(ProcessorScripts.DeadLetter,
            [keys.DeadLetter, keys.InFlight(processorId), keys.Claims, keys.Skipped, keys.Results, keys.Reclaims, NextSeqKey],
            [raw, entry, id ?? "", fingerprint, id is null ? "0" : ((int)skip).ToString(CultureInfo.InvariantCulture), reason, Mode, keys.FirstSeq])
            .ConfigureAwait(false);

    /// <summary>Returns the in-flight messages of every processor whose heartbeat expired to the input; a message
    /// reclaimed more than <paramref name="maxReclaims"/> times goes to the quarantine instead.</summary>
    public Task<ReapResult> ReapDeadAsync(int maxReclaims) => ReapAsync("", maxReclaims);

    /// <summary>Returns this processor's own in-flight messages to the input and unregisters it (graceful stop).</summary>
    public Task<ReapResult> ReturnOwnAsync() => ReapAsync(processorId, int.MaxValue);

    private async Task<ReapResult> ReapAsync(string only, int maxReclaims)
    {
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(ProcessorScripts.Reap,
            [keys.Processors, keys.Input, keys.Reclaims, keys.Quarantine], [keys.HeartbeatPrefix, keys.InFlightPrefix, only, maxReclaims]).ConfigureAwait(false))!;
        return new ReapResult((long)result[0], (long)result[1], (long)result[2]);
    }
}
