using QueueLab.Ordering.Scripts;
using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// Reads a per-key pipeline's output (<see cref="OrderingMode.PerKey"/>): every partition's list from an absolute position
/// (<see cref="OutputScripts.ReadFrom"/>: the entries retention cut plus the index, so a cut between two reads neither skips
/// nor repeats an entry), partition after partition. Each key lives in one partition and its entries are in its seq order
/// there, so what this returns keeps every key's order; keys of different partitions interleave as they come.
/// </summary>
public sealed class KeyedOutputReader : IOutputReader
{
    private readonly IDatabase _db;
    private readonly IReadOnlyList<OrderingKeys> _partitions;
    private readonly long[] _positions;
    private long _fellBehind;

    private KeyedOutputReader(IDatabase db, IReadOnlyList<OrderingKeys> partitions, long[] positions)
    {
        _db = db;
        _partitions = partitions;
        _positions = positions;
    }

    /// <summary>A reader of what every partition's output gets from now on (<paramref name="fromStart"/>: of everything
    /// the outputs still hold).</summary>
    public static async Task<KeyedOutputReader> StartAsync(IDatabase db, IReadOnlyList<OrderingKeys> partitions, bool fromStart = false)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(partitions);
        var positions = new long[partitions.Count];
        for (var p = 0; p < partitions.Count; p++)
        {
            // Read in one step (a transaction on the partition's slot), so no cut falls between the two.
            var transaction = db.CreateTransaction();
            var cut = transaction.StringGetAsync(partitions[p].OutputTrimmedTo);
            var length = transaction.ListLengthAsync(partitions[p].Output);
            await transaction.ExecuteAsync().ConfigureAwait(false);
            var cutValue = await cut.ConfigureAwait(false);
            positions[p] = (cutValue.IsNull ? 0 : (long)cutValue) + (fromStart ? 0 : await length.ConfigureAwait(false));
        }

        return new KeyedOutputReader(db, partitions, positions);
    }

    public long FellBehind => Interlocked.Read(ref _fellBehind);

    /// <summary>
    /// The next entries (at most <paramref name="count"/>), partition after partition. The positions move only once every
    /// partition's read has succeeded: a read that fails part-way (a dropped connection) returns nothing and moves nothing,
    /// so the next call reads the same entries again instead of skipping the ones the failed call had already read.
    /// </summary>
    public async Task<RedisValue[]> ReadAsync(int count)
    {
        var all = new List<RedisValue>();
        var positions = (long[])_positions.Clone();
        var fellBehind = 0;
        for (var p = 0; p < _partitions.Count && all.Count < count; p++)
        {
            var result = (RedisResult[])(await _db.ScriptEvaluateAsync(OutputScripts.ReadFrom,
                [_partitions[p].Output, _partitions[p].OutputTrimmedTo], [positions[p], count - all.Count]).ConfigureAwait(false))!;
            if ((long)result[1] == 1)
            {
                fellBehind++;
            }

            positions[p] = (long)result[0] + (result.Length - 2);
            for (var i = 2; i < result.Length; i++)
            {
                all.Add((RedisValue)result[i]);
            }
        }

        positions.CopyTo(_positions, 0);
        Interlocked.Add(ref _fellBehind, fellBehind);
        return [.. all];
    }
}
