using StackExchange.Redis;

namespace QueueLab.Ordering;

/// <summary>
/// Every Redis key and channel of pipeline B, under one prefix (<c>queuelab:ordering</c> by default; tests use
/// their own). The README documents them; services, scripts and tests take them only from here.
/// </summary>
public sealed record OrderingKeys(string Prefix)
{
    public const string DefaultPrefix = "queuelab:ordering";

    public static OrderingKeys Default { get; } = new(DefaultPrefix);

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

    /// <summary>String (counter): the next seq to append to the output (1 when absent).</summary>
    public RedisKey NextSeq => $"{Prefix}:sequencer:next-seq";

    /// <summary>Hash: seq → result read from the stream ahead of its turn (the reorder buffer).</summary>
    public RedisKey ReorderBuffer => $"{Prefix}:sequencer:reorder-buffer";

    /// <summary>String: retention has deleted the claims, records and skips of every seq below this one (1 when absent).</summary>
    public RedisKey TrimmedTo => $"{Prefix}:sequencer:trimmed-to";

    /// <summary>String: the oldest seq the output list still holds after its retention cut older ones (1 when absent).</summary>
    public RedisKey OutputTrimmedTo => $"{Prefix}:sequencer:output-trimmed-to";

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
