using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>Operator actions on pipeline B's state, each one atomic script.</summary>
public static class OrderingAdmin
{
    /// <summary>
    /// Deletes the pipeline's data (input, output, dead letters, results stream, claims, records, skips, reclaim counts,
    /// the sequencer's next seq, reorder buffer, cursor and retention mark) so the next producer starts again at seq 1,
    /// in one atomic step that is refused while any message is on its way. The processors' registrations and
    /// heartbeats and the sequencer lock and epoch stay: the services keep running.
    /// </summary>
    /// <summary>Where the messages pushed and not yet passed are, in one read-only script call.</summary>
    public static async Task<OrderingBacklog> BacklogAsync(IDatabase db, OrderingKeys keys)
    {
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(AdminScripts.Backlog,
            [keys.Processors, keys.Input, keys.ReorderBuffer, keys.Quarantine, keys.Results, keys.Cursor],
            [keys.InFlightPrefix]).ConfigureAwait(false))!;
        return new OrderingBacklog((long)result[0], (long)result[1], (long)result[2], (long)result[3], (long)result[4]);
    }

    /// <summary>The backlog of every partition, added up (each partition's read is one atomic script).</summary>
    public static async Task<OrderingBacklog> BacklogAsync(IDatabase db, IReadOnlyList<OrderingKeys> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 1)
        {
            return await BacklogAsync(db, partitions[0]).ConfigureAwait(false);
        }

        var all = await Task.WhenAll(partitions.Select(k => BacklogAsync(db, k))).ConfigureAwait(false);
        return new OrderingBacklog(all.Sum(b => b.Input), all.Sum(b => b.InFlight), all.Sum(b => b.Results), all.Sum(b => b.ReorderBuffer),
            all.Sum(b => b.Quarantine));
    }

    /// <summary>
    /// Clears every partition: refused, with every partition's backlog added up, while any partition has a message on
    /// its way; otherwise each partition is cleared in its own atomic step (which refuses on its own if a message arrived
    /// meanwhile: then the result says so and the partitions already cleared stay cleared).
    /// </summary>
    public static async Task<ClearResult> ClearAsync(IDatabase db, IReadOnlyList<OrderingKeys> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 1)
        {
            return await ClearAsync(db, partitions[0]).ConfigureAwait(false);
        }

        var backlog = await BacklogAsync(db, partitions).ConfigureAwait(false);
        if (backlog.OutputLag > 0)
        {
            return new ClearResult(false, 0, backlog.Input, backlog.InFlight, backlog.ReorderBuffer, backlog.Quarantine, backlog.Results);
        }

        long deleted = 0;
        foreach (var keys in partitions)
        {
            var result = await ClearAsync(db, keys).ConfigureAwait(false);
            if (!result.Cleared)
            {
                return result;
            }

            deleted += result.Deleted;
        }

        return new ClearResult(true, deleted, 0, 0, 0, 0, 0);
    }

    public static async Task<ClearResult> ClearAsync(IDatabase db, OrderingKeys keys)
    {
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(AdminScripts.Clear,
            [keys.Processors, keys.Input, keys.ReorderBuffer, keys.Quarantine, keys.Results, keys.Cursor,
                keys.Output, keys.DeadLetter, keys.Claims, keys.Records, keys.Skipped, keys.Reclaims, keys.NextSeq, keys.TrimmedTo, keys.OutputTrimmedTo,
                keys.NextSeqs, keys.Passed, keys.ReadyKeys],
            [keys.InFlightPrefix]).ConfigureAwait(false))!;
        return (long)result[0] == 1
            ? new ClearResult(true, (long)result[1], 0, 0, 0, 0, 0)
            : new ClearResult(false, 0, (long)result[1], (long)result[2], (long)result[3], (long)result[4], (long)result[5]);
    }
}
