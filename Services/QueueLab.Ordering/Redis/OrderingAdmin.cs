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

    public static async Task<ClearResult> ClearAsync(IDatabase db, OrderingKeys keys)
    {
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(AdminScripts.Clear,
            [keys.Processors, keys.Input, keys.ReorderBuffer, keys.Quarantine, keys.Results, keys.Cursor,
                keys.Output, keys.DeadLetter, keys.Claims, keys.Records, keys.Skipped, keys.Reclaims, keys.NextSeq, keys.TrimmedTo, keys.OutputTrimmedTo],
            [keys.InFlightPrefix]).ConfigureAwait(false))!;
        return (long)result[0] == 1
            ? new ClearResult(true, (long)result[1], 0, 0, 0, 0, 0)
            : new ClearResult(false, 0, (long)result[1], (long)result[2], (long)result[3], (long)result[4], (long)result[5]);
    }
}
