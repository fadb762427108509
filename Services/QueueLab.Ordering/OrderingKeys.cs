using StackExchange.Redis;

namespace QueueLab.Ordering;

/// <summary>
/// Every Redis key and channel of pipeline B, under one prefix (<c>queuelab:ordering</c> by default; tests use
/// their own). The README documents them; services, scripts and tests take them only from here.
/// <para>
/// With <c>Partitions</c> P &gt; 1 (<see cref="Partitioned"/>), partition p has a full set of its own keys under
/// <c>{prefix}:{p&lt;p&gt;}</c>: the braces are a Redis Cluster hash tag, so every key of one partition (and so every
/// script over them) lives on one shard. Seq k belongs to partition k mod P; partition p passes its seqs in order,
/// <see cref="FirstSeq"/>, then every <see cref="Step"/>-th. With P = 1 the keys are today's, untagged: seq 1, 2, 3...
/// </para>
/// <para>
/// In <see cref="OrderingMode.PerKey"/> mode a message is identified by its key and that key's seq (<see cref="IdOf"/>:
/// <c>key#seq</c>, the field of the claims, records, skipped and reorder-buffer hashes), key k belongs to partition
/// <see cref="PartitionOfKey">CRC16(k) mod P</see>, and each partition keeps every key's next seq in <see cref="NextSeqs"/>.
/// </para>
/// </summary>
public sealed record OrderingKeys(string Prefix)
{
    public const string DefaultPrefix = "queuelab:ordering";

    /// <summary>The most partitions pipeline B runs with.</summary>
    public const int MaxPartitions = 64;

    public static OrderingKeys Default { get; } = new(DefaultPrefix);

    /// <summary>The pipeline's prefix, without the partition's tag (the prefix of keys shared by every partition).</summary>
    public string BasePrefix { get; init; } = Prefix;

    /// <summary>The keys every partition shares (announcements of the sequencers): the unpartitioned key set.</summary>
    public OrderingKeys Shared => new(BasePrefix);

    /// <summary>The keys of the partition that owns seq <paramref name="seq"/>.</summary>
    public OrderingKeys ForSeq(long seq) => Partitioned(BasePrefix, Partitions, Mode)[PartitionOf(seq, Partitions)];

    /// <summary>The keys of the partition that owns message key <paramref name="key"/> (per-key mode).</summary>
    public OrderingKeys ForKey(string key) => Partitioned(BasePrefix, Partitions, Mode)[PartitionOfKey(key, Partitions)];

    /// <summary>What order the pipeline keeps: one global order by seq, or per key.</summary>
    public OrderingMode Mode { get; init; }

    public bool PerKey => Mode == OrderingMode.PerKey;

    /// <summary>This key set's partition (0 .. <see cref="Partitions"/> - 1).</summary>
    public int Partition { get; init; }

    /// <summary>How many partitions the pipeline has (1: unpartitioned, today's keys).</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>The first seq this partition passes (the partition's number, or P for partition 0; 1 when unpartitioned).</summary>
    public long FirstSeq => Partition == 0 ? Partitions : Partition;

    /// <summary>The distance between two consecutive seqs of this partition (P).</summary>
    public long Step => Partitions;

    /// <summary>Whether seq <paramref name="seq"/> belongs to this partition (seq mod P).</summary>
    public bool Owns(long seq) => PartitionOf(seq, Partitions) == Partition;

    /// <summary>The partition of seq <paramref name="seq"/> among <paramref name="partitions"/>.</summary>
    public static int PartitionOf(long seq, int partitions) => (int)(((seq % partitions) + partitions) % partitions);

    /// <summary>The partition of message key <paramref name="key"/> among <paramref name="partitions"/>: CRC16-XMODEM of its
    /// UTF-8 bytes (Redis Cluster's checksum, braces included) modulo P.</summary>
    public static int PartitionOfKey(string key, int partitions)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ClusterSlots.Crc16(System.Text.Encoding.UTF8.GetBytes(key)) % partitions;
    }

    /// <summary>Whether message key <paramref name="key"/> belongs to this partition (per-key mode).</summary>
    public bool OwnsKey(string key) => PartitionOfKey(key, Partitions) == Partition;

    /// <summary>A per-key message's identity: <c>key#seq</c> (the seq is digits, so the last <c>#</c> splits it whatever the key holds).</summary>
    public static string IdOf(string key, long seq) => string.Concat(key, "#", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The key and seq of a per-key id (<see cref="IdOf"/>).</summary>
    public static (string Key, long Seq) SplitId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hash = id.LastIndexOf('#');
        return (id[..hash], long.Parse(id.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The identity a message claims in this mode (the claims hash's field): its seq, or <c>key#seq</c> per key;
    /// null when the parser found no seq (or, per key, no key).</summary>
    public string? ClaimIdOf(long? seq, string? key) =>
        seq is not long s ? null
        : !PerKey ? s.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : key is null ? null
        : IdOf(key, s);

    /// <summary>Whether a message with this seq and key belongs to this partition (by seq, or per key by key).</summary>
    public bool OwnsMessage(long seq, string? key) => PerKey ? key is not null && OwnsKey(key) : Owns(seq);

    /// <summary>
    /// Every partition's keys under <paramref name="prefix"/>: one set, today's keys, when <paramref name="partitions"/>
    /// is 1; otherwise partition p's keys under <c>{prefix}:{p&lt;p&gt;}</c>.
    /// </summary>
    public static IReadOnlyList<OrderingKeys> Partitioned(string prefix, int partitions, OrderingMode mode = OrderingMode.Global)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, MaxPartitions);
        return partitions == 1
            ? [new OrderingKeys(prefix) { Mode = mode }]
            : [.. Enumerable.Range(0, partitions).Select(p => new OrderingKeys($"{prefix}:{{p{p}}}") { BasePrefix = prefix, Partition = p, Partitions = partitions, Mode = mode })];
    }

    /// <summary>List: producers RPUSH input messages here; processors take them from the head.</summary>
    public RedisKey Input => $"{Prefix}:input";

    /// <summary>List: the sequencer appends output messages here, in <c>seq</c> order.</summary>
    public RedisKey Output => $"{Prefix}:output";

    /// <summary>List: rejected or failed messages, with their reason (JSON <c>DeadLetter</c>).</summary>
    public RedisKey DeadLetter => $"{Prefix}:dead-letter";

    /// <summary>Stream: processors XADD results (and skip records); the sequencer leader reads it.</summary>
    public RedisKey Results => $"{Prefix}:results";

    /// <summary>Set: ids of the processors that may hold in-flight messages (the reaper's work list).</summary>
    public RedisKey Processors => $"{Prefix}:processors";

    /// <summary>Hash: seq → fingerprint of the input message that claimed it, then its outcome (<c>:p</c> record
    /// pending, <c>:r</c> result, <c>:s</c> skipped): a seq's fate is decided once, here.</summary>
    public RedisKey Claims => $"{Prefix}:claims";

    /// <summary>Hash: seq → result JSON. The default system of record (written once per seq, HSETNX).</summary>
    public RedisKey Records => $"{Prefix}:records";

    /// <summary>Hash: seq → dead-letter reason, for every seq the sequencer passes without output.</summary>
    public RedisKey Skipped => $"{Prefix}:skipped";

    /// <summary>Hash: message fingerprint → times the message was reclaimed from dead processors.</summary>
    public RedisKey Reclaims => $"{Prefix}:reclaims";

    /// <summary>List: messages reclaimed too often (they may be what kills processors), waiting to be dead-lettered.</summary>
    public RedisKey Quarantine => $"{Prefix}:quarantine";

    /// <summary>String: the sequencer lock, holding the leader's token (SET NX PX).</summary>
    public RedisKey SequencerLock => $"{Prefix}:sequencer:lock";

    /// <summary>String (counter): the fencing epoch, incremented on every lock acquisition.</summary>
    public RedisKey SequencerEpoch => $"{Prefix}:sequencer:epoch";

    /// <summary>Sorted set: token → until when (Unix ms) that sequencer is up and ready to lead (refreshed every second,
    /// removed on a graceful stop): how many sequencers could take over right now.</summary>
    public RedisKey Sequencers => $"{Prefix}:sequencers";

    /// <summary>Pub/Sub channel: a leader that lets go of the lock announces it here.</summary>
    public RedisChannel SequencerReleased => RedisChannel.Literal($"{Prefix}:sequencer:released");

    /// <summary>String (counter): the next seq to append to the output (1 when absent); per key, 1 + how many ids the
    /// partition has passed (its progress, for the gap monitor).</summary>
    public RedisKey NextSeq => $"{Prefix}:sequencer:next-seq";

    /// <summary>Hash: seq → result read from the stream ahead of its turn (the reorder buffer).</summary>
    public RedisKey ReorderBuffer => $"{Prefix}:sequencer:reorder-buffer";

    /// <summary>String: retention has deleted the claims, records and skips of every seq below this one (1 when absent).</summary>
    public RedisKey TrimmedTo => $"{Prefix}:sequencer:trimmed-to";

    /// <summary>String: the oldest seq the output list still holds after its retention cut older ones (1 when absent); per
    /// key, how many entries retention has cut from the output's head in all (0 when absent), so a reader keeps its place
    /// by absolute position.</summary>
    public RedisKey OutputTrimmedTo => $"{Prefix}:sequencer:output-trimmed-to";

    /// <summary>Hash (per-key mode): message key → the next seq of that key to pass (1 when absent). One field per key
    /// ever seen: the per-key state a keyed log keeps.</summary>
    public RedisKey NextSeqs => $"{Prefix}:sequencer:next-seqs";

    /// <summary>List (per-key mode): the ids (<c>key#seq</c>) passed, oldest first: retention deletes the claims, records and
    /// skips of the ones beyond the newest <c>KeepPassedSeqs</c>.</summary>
    public RedisKey Passed => $"{Prefix}:sequencer:passed";

    /// <summary>Set (per-key mode): keys whose next result may already wait in the reorder buffer, left by a call of the
    /// sequence script that reached its limit; the next call passes them first.</summary>
    public RedisKey ReadyKeys => $"{Prefix}:sequencer:ready-keys";

    /// <summary>String: id of the last stream entry the sequencer has taken in (0-0 when absent).</summary>
    public RedisKey Cursor => $"{Prefix}:sequencer:cursor";

    /// <summary>List: the messages processor <paramref name="processorId"/> has taken and not finished.</summary>
    public RedisKey InFlight(string processorId) => $"{Prefix}:in-flight:{processorId}";

    /// <summary>String with a TTL: present while processor <paramref name="processorId"/> is alive.</summary>
    public RedisKey Heartbeat(string processorId) => $"{Prefix}:heartbeat:{processorId}";

    /// <summary>The key-name prefixes of <see cref="InFlight"/> and <see cref="Heartbeat"/> (for the reaper script).</summary>
    public string InFlightPrefix => $"{Prefix}:in-flight:";

    public string HeartbeatPrefix => $"{Prefix}:heartbeat:";
}
