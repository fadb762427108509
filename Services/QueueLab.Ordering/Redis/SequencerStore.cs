using System.Globalization;
using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>The sequencers' view of Redis: the fenced lock and the sequence script.</summary>
public sealed class SequencerStore(IDatabase database, OrderingKeys keys)
{
    public OrderingKeys Keys => keys;

    /// <returns>The new fencing epoch (positive), or minus the milliseconds the lock still has when another
    /// sequencer holds it (0 or less).</returns>
    public async Task<long> TryAcquireAsync(string token, TimeSpan ttl) =>
        (long)await database.ScriptEvaluateAsync(SequencerScripts.Acquire,
            [keys.SequencerLock, keys.SequencerEpoch], [token, (long)ttl.TotalMilliseconds]).ConfigureAwait(false);

    public async Task<bool> ExtendAsync(string token, TimeSpan ttl) =>
        (long)await database.ScriptEvaluateAsync(SequencerScripts.Extend,
            [keys.SequencerLock], [token, (long)ttl.TotalMilliseconds]).ConfigureAwait(false) == 1;

    public async Task<bool> ReleaseAsync(string token) =>
        (long)await database.ScriptEvaluateAsync(SequencerScripts.Release,
            [keys.SequencerLock], [token, keys.SequencerReleased.ToString()]).ConfigureAwait(false) == 1;

    /// <summary>Says this sequencer is up and ready until <paramref name="until"/>, and drops the ones whose time ran out.</summary>
    public async Task AnnounceAsync(string token, DateTimeOffset until, DateTimeOffset now)
    {
        await database.SortedSetAddAsync(keys.Sequencers, token, until.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        await database.SortedSetRemoveRangeByScoreAsync(keys.Sequencers, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.Stop).ConfigureAwait(false);
    }

    /// <summary>How many sequencers say they are up and ready to lead at <paramref name="now"/>.</summary>
    public Task<long> ReadyAsync(DateTimeOffset now) =>
        database.SortedSetLengthAsync(keys.Sequencers, now.ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.Start);

    public Task WithdrawAsync(string token) => database.SortedSetRemoveAsync(keys.Sequencers, token);

    /// <summary>Where the messages pushed and not yet passed are (<see cref="OrderingAdmin.BacklogAsync"/>).</summary>
    public Task<OrderingBacklog> BacklogAsync() => OrderingAdmin.BacklogAsync(database, keys);

    public async Task<SequenceBatch> SequenceAsync(string token, long epoch, int readCount, int maxPass, DateTimeOffset now, Retention? retention = null)
    {
        retention ??= Retention.Default;
        var result = (RedisResult[])(await (keys.PerKey
            ? database.ScriptEvaluateAsync(SequencerScripts.SequenceByKey,
                [keys.SequencerLock, keys.SequencerEpoch, keys.Results, keys.Cursor, keys.NextSeq, keys.ReorderBuffer, keys.Output,
                    keys.Claims, keys.Records, keys.Skipped, keys.NextSeqs, keys.DeadLetter, keys.OutputTrimmedTo, keys.Passed, keys.ReadyKeys],
                [token, epoch, readCount, maxPass, now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    retention.KeepPassedSeqs, retention.OutputMaxLength, retention.DeadLetterMaxLength])
            : database.ScriptEvaluateAsync(SequencerScripts.Sequence,
                [keys.SequencerLock, keys.SequencerEpoch, keys.Results, keys.Cursor, keys.NextSeq, keys.ReorderBuffer, keys.Output,
                    keys.Claims, keys.Records, keys.Skipped, keys.TrimmedTo, keys.DeadLetter, keys.OutputTrimmedTo],
                [token, epoch, readCount, maxPass, now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    retention.KeepPassedSeqs, retention.OutputMaxLength, retention.DeadLetterMaxLength, keys.Step, keys.FirstSeq]))
            .ConfigureAwait(false))!;

        var status = (SequenceStatus)(long)result[0];
        if (status != SequenceStatus.Ok)
        {
            return SequenceBatch.Refused(status);
        }

        var emitted = new List<EmittedResult>((result.Length - 10) / 3);
        for (var i = 10; i + 2 < result.Length; i += 3)
        {
            var at = long.TryParse((string?)result[i + 2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
            var traceParent = (string?)result[i + 1] ?? "";
            if (keys.PerKey)
            {
                var (key, seq) = OrderingKeys.SplitId((string)result[i]!);
                emitted.Add(new EmittedResult(seq, traceParent, at, key));
            }
            else
            {
                emitted.Add(new EmittedResult((long)result[i], traceParent, at));
            }
        }

        return new SequenceBatch(status, (long)result[1], (long)result[2], (long)result[3], (long)result[4],
            (long)result[5], (long)result[6], (long)result[7], (long)result[8] == 1, emitted, (string?)result[9] ?? "0-0");
    }
}
