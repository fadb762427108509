using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>A batch of output entries: where they start in the list now, and whether the reader fell behind the retention.</summary>
public sealed record OutputBatch(long Index, bool FellBehind, RedisValue[] Entries);

/// <summary>Reads pipeline B's output in order: one partition's list (<see cref="OutputReader"/>) or the global order over
/// every partition (<see cref="GlobalOutputReader"/>).</summary>
public interface IOutputReader
{
    /// <summary>How many times the output's retention cut entries the reader had not read yet.</summary>
    long FellBehind { get; }

    /// <summary>The next entries in seq order (at most <paramref name="count"/>); empty when nothing new is there.</summary>
    Task<RedisValue[]> ReadAsync(int count);
}

/// <summary>
/// Reads pipeline B's output in order, from after a given seq, while the sequencer's retention cuts the list from its
/// head (<see cref="OutputScripts.ReadAfter"/>): the position is kept by seq, not by index, so a trim between two reads
/// neither skips nor repeats an entry.
/// </summary>
public sealed class OutputReader(IDatabase db, RedisKey output, long lastSeq, long indexHint) : IOutputReader
{
    /// <summary>The last seq read (the reader continues after it).</summary>
    public long LastSeq { get; private set; } = lastSeq;

    /// <summary>The index where the next entry is expected.</summary>
    public long Index { get; private set; } = indexHint;

    /// <summary>How many times the output's retention cut entries the reader had not read yet.</summary>
    public long FellBehind { get; private set; }

    /// <summary>The next entries (at most <paramref name="count"/>); empty when nothing new is there.</summary>
    public async Task<RedisValue[]> ReadAsync(int count)
    {
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(OutputScripts.ReadAfter, [output], [Index, LastSeq, count]).ConfigureAwait(false))!;
        var entries = result.Skip(2).Select(r => (RedisValue)r).ToArray();
        Index = (long)result[0] + entries.Length;
        if ((long)result[1] == 1)
        {
            FellBehind++;
        }

        if (entries.Length > 0)
        {
            LastSeq = Contracts.OrderingJson.SeqOf(entries[^1]) ?? LastSeq;
        }

        return entries;
    }
}
