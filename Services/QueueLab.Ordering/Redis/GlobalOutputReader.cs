using QueueLab.Ordering.Contracts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// Reads the exact global order of a partitioned pipeline B (the reading rule the README documents, which a
/// <c>redis-cli</c> user can follow by hand):
/// <list type="number">
/// <item>read every partition's <c>next-seq</c> (absent: the partition's first seq); W is the smallest of them. Every
/// seq below W is decided: partition seq mod P has passed it, into its output or as a dead-lettered skip;</item>
/// <item>read each partition's output after the last seq read from it;</item>
/// <item>merge the entries with seq below W by seq: that is the global order. Entries at or above W wait for the next
/// read (an earlier seq of another partition may still come).</item>
/// </list>
/// The next-seqs are read before the outputs, and both only grow, so every entry below W is there when the outputs are
/// read. Unpartitioned, it is exactly an <see cref="OutputReader"/> of the one output.
/// </summary>
public sealed class GlobalOutputReader : IOutputReader
{
    private readonly IDatabase _db;
    private readonly IReadOnlyList<OrderingKeys> _partitions;
    private readonly OutputReader[] _readers;
    private readonly Queue<(long Seq, RedisValue Entry)>[] _pending;

    // The seq of the newest entry queued per partition (a Queue has no O(1) last element; the watcher reads every 2 ms).
    private readonly long[] _newest;

    private GlobalOutputReader(IDatabase db, IReadOnlyList<OrderingKeys> partitions, OutputReader[] readers)
    {
        _db = db;
        _partitions = partitions;
        _readers = readers;
        _pending = [.. partitions.Select(_ => new Queue<(long, RedisValue)>())];
        _newest = new long[partitions.Count];
    }

    /// <summary>
    /// A reader of the entries after seq <paramref name="lastSeq"/>. Unpartitioned, <paramref name="indexHint"/> is where
    /// the next entry is expected in the one output; partitioned, each partition's reader starts after the last entry its
    /// output holds now if that is not after <paramref name="lastSeq"/> (else it finds its place by seq).
    /// </summary>
    public static async Task<GlobalOutputReader> StartAsync(IDatabase db, IReadOnlyList<OrderingKeys> partitions, long lastSeq, long indexHint = 0)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 1)
        {
            return new GlobalOutputReader(db, partitions, [new OutputReader(db, partitions[0].Output, lastSeq, indexHint)]);
        }

        var readers = new OutputReader[partitions.Count];
        for (var p = 0; p < partitions.Count; p++)
        {
            var length = await db.ListLengthAsync(partitions[p].Output).ConfigureAwait(false);
            var tail = length == 0 ? null : OrderingJson.SeqOf(await db.ListGetByIndexAsync(partitions[p].Output, -1).ConfigureAwait(false));
            readers[p] = tail is { } seq && seq <= lastSeq
                ? new OutputReader(db, partitions[p].Output, seq, length)
                : new OutputReader(db, partitions[p].Output, lastSeq, 0);
        }

        return new GlobalOutputReader(db, partitions, readers);
    }

    public long FellBehind => _readers.Sum(r => r.FellBehind);

    /// <summary>The seq below which every seq is decided (the smallest next seq over the partitions).</summary>
    public static async Task<long> WatermarkAsync(IDatabase db, IReadOnlyList<OrderingKeys> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var next = await Task.WhenAll(partitions.Select(k => db.StringGetAsync(k.NextSeq))).ConfigureAwait(false);
        return partitions.Select((k, p) => next[p].IsNull ? k.FirstSeq : (long)next[p]).Min();
    }

    public async Task<RedisValue[]> ReadAsync(int count)
    {
        if (_readers.Length == 1)
        {
            return await _readers[0].ReadAsync(count).ConfigureAwait(false);
        }

        var watermark = await WatermarkAsync(_db, _partitions).ConfigureAwait(false);
        for (var p = 0; p < _readers.Length; p++)
        {
            // Enough of each partition to pass everything below the watermark.
            while (_pending[p].Count == 0 || _newest[p] < watermark)
            {
                var entries = await _readers[p].ReadAsync(count).ConfigureAwait(false);
                foreach (var entry in entries)
                {
                    var seq = OrderingJson.SeqOf(entry) ?? 0;
                    _pending[p].Enqueue((seq, entry));
                    _newest[p] = seq;
                }

                if (entries.Length < count)
                {
                    break;
                }
            }
        }

        var merged = new List<RedisValue>();
        while (merged.Count < count)
        {
            var best = -1;
            for (var p = 0; p < _pending.Length; p++)
            {
                if (_pending[p].TryPeek(out var head) && head.Seq < watermark && (best < 0 || head.Seq < _pending[best].Peek().Seq))
                {
                    best = p;
                }
            }

            if (best < 0)
            {
                break;
            }

            merged.Add(_pending[best].Dequeue().Entry);
        }

        return [.. merged];
    }
}
