namespace QueueLab.Ordering;

/// <summary>
/// Redis Cluster's key-to-slot rule, and how the lab splits the 16,384 slots over a cluster's primaries so that pipeline
/// B's partitions spread evenly over them (pure logic; the AppHost creates its local cluster with these ranges).
/// </summary>
public static class ClusterSlots
{
    public const int Count = 16384;

    /// <summary>The hash slot of a key: CRC16 (XMODEM) of its hash tag (the text between the first <c>{</c> and the first
    /// <c>}</c> after it, when not empty) or of the whole key, modulo 16,384.</summary>
    public static int Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                key = key[(open + 1)..close];
            }
        }

        return Crc16(System.Text.Encoding.UTF8.GetBytes(key)) % Count;
    }

    /// <summary>CRC16-XMODEM (polynomial 0x1021, initial 0), the checksum Redis Cluster hashes keys with.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0;
        foreach (var b in bytes)
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc;
    }

    /// <summary>
    /// Contiguous slot ranges, one per primary, covering every slot, with the <paramref name="partitions"/> partitions'
    /// hash tags (<c>{p0}</c>, <c>{p1}</c>...) shared out as evenly as they can be: sorted by slot, primary j gets the
    /// j-th share of them, and each boundary lies halfway between two neighbouring shares. With one partition (or fewer
    /// partitions than primaries) the ranges are the usual even thirds.
    /// </summary>
    public static IReadOnlyList<(int First, int Last)> Ranges(int partitions, int primaries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(primaries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var boundaries = new List<int> { 0 };
        if (partitions < primaries)
        {
            boundaries.AddRange(Enumerable.Range(1, primaries - 1).Select(j => j * Count / primaries));
        }
        else
        {
            var slots = Enumerable.Range(0, partitions).Select(p => Of($"{{p{p}}}")).Order().ToArray();
            for (var j = 1; j < primaries; j++)
            {
                var split = j * partitions / primaries; // the first tag of share j
                boundaries.Add(Math.Max(boundaries[^1] + 1, (slots[split - 1] + slots[split] + 1) / 2));
            }
        }

        boundaries.Add(Count);
        return [.. Enumerable.Range(0, primaries).Select(j => (boundaries[j], boundaries[j + 1] - 1))];
    }
}
