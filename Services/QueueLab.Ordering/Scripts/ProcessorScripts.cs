namespace QueueLab.Ordering.Scripts;

/// <summary>
/// The processors' Lua scripts. Each runs atomically in Redis, so a message is always in exactly one list (the
/// input, one in-flight list, or done) and two reapers can never return the same message twice. The keys of
/// other processors are named from prefixes inside <see cref="Reap"/>, so these scripts assume one Redis
/// server (not a cluster).
/// </summary>
public static class ProcessorScripts
{
    /// <summary>
    /// KEYS: input, own in-flight, processors, claims. ARGV: how many, processor id.
    /// Registers the processor and moves up to ARGV[1] messages from the head of the input to the tail of its
    /// in-flight list. Each message whose top-level <c>seq</c> is a positive integer literal claims that seq in
    /// the same step (HSETNX of the message's SHA-1), so of two different messages with the same seq the one
    /// earlier in the input always wins. Returns {message, claim} pairs, claim being 1 (the seq is this
    /// message's: first seen, or the same message again after a retry or reclaim), 0 (a different message
    /// claimed the seq first: a duplicate) or -1 (no seq recognised; the processor's parser decides).
    /// </summary>
    public const string Take = """
        redis.call('SADD', KEYS[3], ARGV[2])
        local taken = {}
        for i = 1, tonumber(ARGV[1]) do
          local m = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
          if not m then break end
          local claim = -1
          if string.find(m, '"seq"%s*:%s*%d+%s*[,}]') then
            local ok, obj = pcall(cjson.decode, m)
            if ok and type(obj) == 'table' and type(obj.seq) == 'number' and obj.seq >= 1
              and obj.seq <= 9007199254740991 and obj.seq == math.floor(obj.seq) then
              local key = string.format('%d', obj.seq)
              local fp = redis.sha1hex(m)
              local current = redis.call('HGET', KEYS[4], key)
              if not current then
                redis.call('HSET', KEYS[4], key, fp)
                claim = 1
              elseif current == fp then
                claim = 1
              else
                claim = 0
              end
            end
          end
          taken[#taken + 1] = m
          taken[#taken + 1] = claim
        end
        return taken
        """;

    /// <summary>
    /// KEYS: claims. ARGV: seq, raw message. The claim of <see cref="Take"/> on its own, for a message whose seq
    /// only the processor's parser recognised. Returns 1 when the seq belongs to this message (first seen, or the same
    /// message again after a retry or a reclaim), 0 when a different message already claimed the seq.
    /// </summary>
    public const string Claim = """
        local fp = redis.sha1hex(ARGV[2])
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if not current then
          redis.call('HSET', KEYS[1], ARGV[1], fp)
          return 1
        end
        if current == fp then return 1 end
        return 0
        """;

    /// <summary>
    /// KEYS: records, results stream, own in-flight. ARGV: '1' to record in Redis, then for each message five
    /// values: seq, raw message, result body, traceparent, processed-at (Unix ms). Completes every message in the
    /// one atomic call (the processor completes the messages that finish together in one call): writes the system
    /// of record once per seq (a second result for the same seq re-sends the recorded one), appends the result to
    /// the stream, then removes the message from the in-flight list. Returns, per message, how many in-flight copies
    /// were removed (0 if it had been reclaimed).
    /// </summary>
    public const string Complete = """
        local record = ARGV[1] == '1'
        local removed = {}
        for i = 2, #ARGV, 5 do
          local seq, body = ARGV[i], ARGV[i + 2]
          if record then
            if redis.call('HSETNX', KEYS[1], seq, body) == 0 then
              body = redis.call('HGET', KEYS[1], seq)
            end
          end
          redis.call('XADD', KEYS[2], '*', 'seq', seq, 'kind', 'r', 'tp', ARGV[i + 3], 'at', ARGV[i + 4], 'body', body)
          removed[#removed + 1] = redis.call('LREM', KEYS[3], 1, ARGV[i + 1])
        end
        return removed
        """;

    /// <summary>
    /// KEYS: dead-letter list, own in-flight, skipped, results stream. ARGV: raw message, dead-letter entry, seq,
    /// '1' to record the seq as skipped, reason. Appends the entry, records the skip once (and tells the sequencer
    /// through the stream), removes the message from the in-flight list.
    /// </summary>
    public const string DeadLetter = """
        redis.call('RPUSH', KEYS[1], ARGV[2])
        if ARGV[4] == '1' then
          if redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[5]) == 1 then
            redis.call('XADD', KEYS[4], '*', 'seq', ARGV[3], 'kind', 's', 'tp', '', 'at', '', 'body', ARGV[5])
          end
        end
        return redis.call('LREM', KEYS[2], 1, ARGV[1])
        """;

    /// <summary>
    /// KEYS: processors, input. ARGV: heartbeat key prefix, in-flight key prefix, processor id or ''.
    /// With '' returns the in-flight messages of every registered processor whose heartbeat has expired to the
    /// head of the input (oldest first) and unregisters it; with an id, does so for that processor regardless of
    /// its heartbeat (its own graceful shutdown) and deletes the heartbeat. Returns {messages, processors}.
    /// </summary>
    public const string Reap = """
        local returned, reaped = 0, 0
        local ids
        if ARGV[3] ~= '' then ids = {ARGV[3]} else ids = redis.call('SMEMBERS', KEYS[1]) end
        for _, id in ipairs(ids) do
          if ARGV[3] ~= '' or redis.call('EXISTS', ARGV[1] .. id) == 0 then
            local key = ARGV[2] .. id
            while true do
              local m = redis.call('LMOVE', key, KEYS[2], 'RIGHT', 'LEFT')
              if not m then break end
              returned = returned + 1
            end
            redis.call('SREM', KEYS[1], id)
            if ARGV[3] ~= '' then redis.call('DEL', ARGV[1] .. id) end
            reaped = reaped + 1
          end
        end
        return {returned, reaped}
        """;
}
