namespace QueueLab.Ordering.Scripts;

/// <summary>
/// The processors' Lua scripts. Each runs atomically in Redis, so a message is always in exactly one list (the
/// input, one in-flight list, the quarantine, or done) and two reapers can never return the same message twice.
/// <para>
/// No script decodes a message: validity is decided once, by the processor's parser, and the scripts act only on what
/// it found (a seq, and the message's SHA-1 fingerprint). A seq's fate is decided once, in <c>claims</c> (per key, a
/// <c>key#seq</c> id's: every "seq" argument below is that id in per-key mode): the value
/// is the fingerprint of the message that claimed it (40 hex characters), followed by <c>:p</c> while its result is
/// being recorded in PostgreSQL, <c>:r</c> once its result is in the stream, or <c>:s</c> once it is skipped. The
/// result path and the skip path both check and set that suffix in the same script that writes the stream, so a seq
/// is never both skipped and given a result.
/// </para>
/// The keys of other processors are named from prefixes inside <see cref="Reap"/>; they carry the partition's hash tag
/// (with partitions), so on a Redis Cluster they are on the same shard as the keys the script is given.
/// </summary>
public static class ProcessorScripts
{
    /// <summary>
    /// KEYS: input, own in-flight, processors, quarantine. ARGV: how many, processor id. Registers the processor and
    /// moves up to ARGV[1] messages to the tail of its in-flight list: quarantined ones first (to be dead-lettered),
    /// then from the head of the input. Returns {how many of them came from the quarantine, the messages...}.
    /// </summary>
    public const string Take = """
        redis.call('SADD', KEYS[3], ARGV[2])
        local n = tonumber(ARGV[1])
        local taken = {0}
        while #taken <= n do
          local m = redis.call('LMOVE', KEYS[4], KEYS[2], 'LEFT', 'RIGHT')
          if not m then break end
          taken[#taken + 1] = m
        end
        taken[1] = #taken - 1
        while #taken <= n do
          local m = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
          if not m then break end
          taken[#taken + 1] = m
        end
        return taken
        """;

    /// <summary>
    /// KEYS: claims, then next-seq (global order) or next-seqs (per key). ARGV: 'g' (global) or 'k' (per key), the
    /// partition's first seq (the next seq while next-seq is absent; per key every key starts at 1), then triples of claim
    /// id (the seq, or per key <c>key#seq</c>), seq, fingerprint (the parser's). Claims each id for its message, in order.
    /// Returns per triple: 1 the id is this message's and undecided (first claim, or the same message again after a
    /// reclaim, or a record still pending); 0 it is not (a different message claimed it, or its seq was already passed
    /// (per key: its key's) and its claim trimmed); 2 the same message's id already has its outcome (an identical copy of
    /// a message that was processed or skipped).
    /// </summary>
    public const string Claim = LuaFragments.ReadNextSeqs + """
        local keyed = ARGV[1] == 'k'
        local nextSeq = (not keyed) and tonumber(redis.call('GET', KEYS[2]) or ARGV[2])
        local nexts = {}
        if keyed then
          local lookup = {}
          for i = 3, #ARGV, 3 do
            local key = string.match(ARGV[i], '^(.*)#%d+$')
            if not nexts[key] then
              nexts[key] = 1
              lookup[#lookup + 1] = key
            end
          end
          readNextSeqs(KEYS[2], lookup, nexts)
        end
        local out = {}
        for i = 3, #ARGV, 3 do
          local id, seq, fp = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
          local current = redis.call('HGET', KEYS[1], id)
          local r
          if not current then
            local floor = nextSeq
            if keyed then floor = nexts[string.match(id, '^(.*)#%d+$')] end
            if seq < floor then
              r = 0
            else
              redis.call('HSET', KEYS[1], id, fp)
              r = 1
            end
          elseif string.sub(current, 1, 40) ~= fp then
            r = 0
          elseif #current == 40 or string.sub(current, 42) == 'p' then
            r = 1
          else
            r = 2
          end
          out[#out + 1] = r
        end
        return out
        """;

    /// <summary>
    /// KEYS: claims, next-seq (global order) or next-seqs (per key). ARGV: 'g' or 'k', the partition's first seq, then
    /// pairs of claim id, fingerprint. Before a result is written to PostgreSQL: marks each undecided seq of this message
    /// as pending a record (<c>:p</c>), so a skip can no longer win it; a claim rolled back by a restart or a failover is
    /// made again first (<see cref="LuaFragments.ReclaimLost"/>). Returns per pair 1 (go ahead) or 2 (the seq is decided,
    /// or not this message's: the caller dead-letters the message as a duplicate).
    /// </summary>
    public const string Reserve = LuaFragments.ReclaimLost + """
        local out = {}
        for i = 3, #ARGV, 2 do
          local seq, fp = ARGV[i], ARGV[i + 1]
          local current = redis.call('HGET', KEYS[1], seq) or reclaimLost(KEYS[1], KEYS[2], ARGV[1], ARGV[2], seq, fp)
          if current == fp then
            redis.call('HSET', KEYS[1], seq, fp .. ':p')
            out[#out + 1] = 1
          elseif current == fp .. ':p' then
            out[#out + 1] = 1
          else
            out[#out + 1] = 2
          end
        end
        return out
        """;

    /// <summary>
    /// KEYS: claims, records, results stream, own in-flight, reclaims, next-seq (global) or next-seqs (per key). ARGV: '1'
    /// to record in Redis, 'g' or 'k', the partition's first seq, then for each message six values: claim id, raw message,
    /// fingerprint, result body, traceparent, processed-at (Unix ms). A claim rolled back by a restart or a failover is
    /// made again first (<see cref="LuaFragments.ReclaimLost"/>).
    /// Per message: 2 when its seq is already decided or not this message's (nothing changes: the caller dead-letters
    /// it as a duplicate); 0 when it is no longer in this processor's in-flight list (a reaper returned it while this
    /// processor was paused: another processor owns it now, and nothing changes); otherwise 1: removes it from the
    /// in-flight list, marks the seq <c>:r</c>, writes the system of record once per seq, appends the result to the
    /// stream and forgets the message's reclaim count (if the reclaims hash exists at all).
    /// </summary>
    public const string Complete = LuaFragments.ReclaimLost + """
        local record = ARGV[1] == '1'
        local reclaimed = redis.call('EXISTS', KEYS[5]) == 1
        local out = {}
        for i = 4, #ARGV, 6 do
          local seq, raw, fp, body = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          local current = redis.call('HGET', KEYS[1], seq) or reclaimLost(KEYS[1], KEYS[6], ARGV[2], ARGV[3], seq, fp)
          if current ~= fp and current ~= fp .. ':p' then
            out[#out + 1] = 2
          elseif redis.call('LREM', KEYS[4], 1, raw) == 0 then
            out[#out + 1] = 0
          else
            redis.call('HSET', KEYS[1], seq, fp .. ':r')
            if record then redis.call('HSETNX', KEYS[2], seq, body) end
            redis.call('XADD', KEYS[3], '*', 'seq', seq, 'kind', 'r', 'tp', ARGV[i + 4], 'at', ARGV[i + 5], 'body', body)
            if reclaimed then redis.call('HDEL', KEYS[5], fp) end
            out[#out + 1] = 1
          end
        end
        return out
        """;

    /// <summary>
    /// KEYS: dead-letter list, own in-flight, claims, skipped, results stream, reclaims, next-seq (global) or next-seqs
    /// (per key). ARGV: raw message, dead-letter entry, claim id or '', fingerprint, skip mode, reason, 'g' or 'k', the
    /// partition's first seq. Skip mode '0': no skip; '1': record the seq as skipped if it is this message's and undecided
    /// (a claim rolled back by a restart or a failover is made again first: <see cref="LuaFragments.ReclaimLost"/>); '2':
    /// also if its record is pending (<c>:p</c>: the system of record refused it).
    /// Returns 2 when a skip was asked but the seq is decided (or pending a record, in mode '1'), or not this message's:
    /// nothing changes, and the caller dead-letters it again as a duplicate without a skip; 0 when the message is no longer in
    /// this processor's in-flight list (another processor owns it now): nothing changes; otherwise 1: removes it from
    /// the in-flight list, appends the entry once and, with a skip, marks the seq <c>:s</c>, records it in
    /// <c>skipped</c> and tells the sequencer through the stream.
    /// </summary>
    public const string DeadLetter = LuaFragments.ReclaimLost + """
        local skip = ARGV[5] ~= '0'
        if skip then
          local current = redis.call('HGET', KEYS[3], ARGV[3]) or reclaimLost(KEYS[3], KEYS[7], ARGV[7], ARGV[8], ARGV[3], ARGV[4])
          if current ~= ARGV[4] and (ARGV[5] ~= '2' or current ~= ARGV[4] .. ':p') then return 2 end
        end
        if redis.call('LREM', KEYS[2], 1, ARGV[1]) == 0 then return 0 end
        redis.call('RPUSH', KEYS[1], ARGV[2])
        if skip then
          redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. ':s')
          redis.call('HSET', KEYS[4], ARGV[3], ARGV[6])
          redis.call('XADD', KEYS[5], '*', 'seq', ARGV[3], 'kind', 's', 'tp', '', 'at', '', 'body', ARGV[6])
        end
        redis.call('HDEL', KEYS[6], ARGV[4])
        return 1
        """;

    /// <summary>
    /// KEYS: processors, input, reclaims, quarantine. ARGV: heartbeat key prefix, in-flight key prefix, processor id
    /// or '', the most reclaims a message may have.
    /// With '' returns the in-flight messages of every registered processor whose heartbeat has expired to the head
    /// of the input (oldest first) and unregisters it; a message reclaimed more than ARGV[4] times (counted per
    /// fingerprint) goes to the quarantine instead, to be dead-lettered: it may be what kills its processors. With an
    /// id, returns that processor's messages regardless of its heartbeat (its own graceful stop: not counted) and
    /// deletes the heartbeat. Returns {messages returned, processors reaped, messages quarantined}.
    /// </summary>
    public const string Reap = """
        local returned, reaped, quarantined = 0, 0, 0
        local own = ARGV[3] ~= ''
        local maxReclaims = tonumber(ARGV[4])
        local ids
        if own then ids = {ARGV[3]} else ids = redis.call('SMEMBERS', KEYS[1]) end
        for _, id in ipairs(ids) do
          if own or redis.call('EXISTS', ARGV[1] .. id) == 0 then
            local key = ARGV[2] .. id
            while true do
              local m = redis.call('RPOP', key)
              if not m then break end
              if not own and redis.call('HINCRBY', KEYS[3], redis.sha1hex(m), 1) > maxReclaims then
                redis.call('RPUSH', KEYS[4], m)
                quarantined = quarantined + 1
              else
                redis.call('LPUSH', KEYS[2], m)
                returned = returned + 1
              end
            end
            redis.call('SREM', KEYS[1], id)
            if own then redis.call('DEL', ARGV[1] .. id) end
            reaped = reaped + 1
          end
        end
        return {returned, reaped, quarantined}
        """;
}
