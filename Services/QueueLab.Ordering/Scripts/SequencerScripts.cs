namespace QueueLab.Ordering.Scripts;

/// <summary>The sequencers' Lua scripts: the fenced lock, and the one script that emits in order.</summary>
public static class SequencerScripts
{
    /// <summary>
    /// The first lines of both sequence scripts, with the keys and arguments they share (KEYS: lock, epoch, results
    /// stream, cursor, next-seq, reorder buffer, output, claims, records, skipped, ..., dead-letter list (12); ARGV: token,
    /// epoch, read count, pass limit, now, ...): refuse (-1) unless the lock holds the caller's token, and (-2) unless
    /// the epoch is the caller's; then the helpers both use. A result read from the stream is a table of its fields; a
    /// passed result is "opened" (its closing brace replaced by <c>sequencingAt</c>) and closed with <c>sequencedAt</c>
    /// on the output; a result that must wait goes into the reorder buffer as <c>kind|traceparent|processed-at|opened body</c>.
    /// </summary>
    private const string Fenced = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        if redis.call('GET', KEYS[2]) ~= ARGV[2] then return {-2} end
        local now = ARGV[5]
        local readCount, maxPass = tonumber(ARGV[3]), tonumber(ARGV[4])
        local cursor = redis.call('GET', KEYS[4]) or '0-0'
        local entries = redis.call('XRANGE', KEYS[3], '(' .. cursor, '+', 'COUNT', readCount)
        local waiting = redis.call('HLEN', KEYS[6]) > 0
        local read, buffered, dropped = 0, 0, 0
        local last = cursor
        local fresh = {}
        local emitted, skipped = 0, 0
        local out, info = {}, {}
        local function fieldsOf(e)
          local f = {}
          local kv = e[2]
          for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
          return f
        end
        local function opened(body) return string.sub(body, 1, -2) .. ',"sequencingAt":"' .. now .. '"' end
        -- kind, traceparent, processed-at, opened body of a result read now (id: its field in fresh) or buffered before.
        local function take(id)
          local f = fresh[id]
          if f then
            fresh[id] = nil
            if f['kind'] == 's' then return 's' end
            return 'r', f['tp'] or '', f['at'] or '', opened(f['body'])
          end
          local v = waiting and redis.call('HGET', KEYS[6], id)
          if not v then return nil end
          redis.call('HDEL', KEYS[6], id)
          return string.match(v, '^(%a)|([^|]*)|([^|]*)|(.*)$')
        end
        local function pass(id, kind, tp, at, body)
          if kind == 'r' then
            out[#out + 1] = body .. ',"sequencedAt":"' .. now .. '"}'
            emitted = emitted + 1
            info[#info + 1] = id
            info[#info + 1] = tp
            info[#info + 1] = at
          else
            skipped = skipped + 1
          end
        end
        local function pushAll(key, values)
          for i = 1, #values, 500 do redis.call('RPUSH', key, unpack(values, i, math.min(i + 499, #values))) end
        end
        local function hdelAll(keys, fields)
          for i = 1, #fields, 1000 do
            local j = math.min(i + 999, #fields)
            for _, key in ipairs(keys) do redis.call('HDEL', key, unpack(fields, i, j)) end
          end
        end
        -- What was read and not passed waits in the reorder buffer; the cursor moves only once everything read is passed
        -- or buffered (a call that fails part-way reads it again); the dead-letter list is cut to its limit.
        local function settle(deadMax)
          for id, f in pairs(fresh) do
            local value
            if f['kind'] == 's' then
              value = 's|||' .. f['body']
            else
              value = 'r|' .. (f['tp'] or '') .. '|' .. (f['at'] or '') .. '|' .. opened(f['body'])
            end
            redis.call('HSET', KEYS[6], id, value)
          end
          if read > 0 then
            redis.call('SET', KEYS[4], last)
            redis.call('XTRIM', KEYS[3], 'MINID', last)
          end
          if deadMax > 0 and redis.call('LLEN', KEYS[12]) > deadMax then redis.call('LTRIM', KEYS[12], -deadMax, -1) end
        end

        """;

    /// <summary>KEYS: lock, epoch. ARGV: token, TTL ms. Takes the lock if free and returns the new epoch (the
    /// fencing token, positive); otherwise returns minus the lock's remaining time in ms (0 or less), so a standby can
    /// ask again the moment the lock expires.</summary>
    public const string Acquire = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return redis.call('INCR', KEYS[2])
        end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then ttl = 0 end
        return -ttl
        """;

    /// <summary>KEYS: lock. ARGV: token, TTL ms. Extends the lock only if the caller still holds it (1), else 0.</summary>
    public const string Extend = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: lock. ARGV: token, channel. Deletes the lock only if the caller holds it and announces it.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[1])
          return 1
        end
        return 0
        """;

    /// <summary>
    /// KEYS: lock, epoch, results stream, cursor, next-seq, reorder buffer, output, claims, records, skipped,
    /// trimmed-to, dead-letter list, output-trimmed-to.
    /// ARGV: token, epoch, how many stream entries to read, how many seqs to pass at most, now (ISO-8601), how many
    /// passed seqs to keep in claims / records / skipped, the most output entries to keep (0: all), the most
    /// dead-letter entries to keep (0: all), the partition's step between seqs (P; 1 unpartitioned), its first seq (the
    /// next seq while next-seq is absent).
    /// <para>
    /// Refuses (-1) unless the caller holds the lock and (-2) unless its epoch is the current one. Then reads the
    /// stream after the cursor (dropping results whose seq was already passed or is already buffered or read: the first
    /// one wins, duplicates are dropped), advances the cursor and trims what it consumed, and passes every consecutive
    /// next seq, from what it just read or from the reorder buffer: a result is appended to the output, a skip record
    /// is passed without output. What it read and could not pass yet goes into the reorder buffer, so the buffer ends
    /// each call exactly as if every entry had gone through it, without the round trip for the ones passed at once.
    /// </para>
    /// <para>
    /// Retention, in the same call and in proportion to the seqs it passes (so it keeps pace and never blocks Redis
    /// for long): the claims, records and skips of the partition's seqs more than ARGV[6] of its seqs behind the next seq are deleted (the
    /// trimmed-to key says how far), and the output and dead-letter lists are cut from their heads to their limits
    /// (output-trimmed-to keeps the oldest seq the output still holds: output entries are the sequencer's own JSON, whose
    /// first field is <c>seq</c>).
    /// </para>
    /// Returns {1, read, buffered, dropped, emitted, skipped, next seq, buffer depth, more, the cursor (the id of the
    /// last stream entry taken in, which an idle leader blocks after), then seq, traceparent, processed-at (ms) for
    /// each emitted message}.
    /// </summary>
    public const string Sequence = Fenced + """
        local step = tonumber(ARGV[9])
        local nextSeq = tonumber(redis.call('GET', KEYS[5]) or ARGV[10])
        for _, e in ipairs(entries) do
          last = e[1]
          read = read + 1
          local f = fieldsOf(e)
          local seq = tonumber(f['seq'])
          if seq == nil or seq < nextSeq or f['body'] == nil then
            dropped = dropped + 1
          else
            local id = string.format('%d', seq)
            if fresh[id] or (waiting and redis.call('HEXISTS', KEYS[6], id) == 1) then
              dropped = dropped + 1
            else
              fresh[id] = f
              buffered = buffered + 1
            end
          end
        end
        while emitted + skipped < maxPass do
          local id = string.format('%d', nextSeq)
          local kind, tp, at, body = take(id)
          if not kind then break end
          pass(id, kind, tp, at, body)
          nextSeq = nextSeq + step
        end
        pushAll(KEYS[7], out)
        if emitted + skipped > 0 then
          redis.call('SET', KEYS[5], string.format('%d', nextSeq))
        end
        settle(tonumber(ARGV[8]))
        local keep = tonumber(ARGV[6])
        local trimFrom = tonumber(redis.call('GET', KEYS[11]) or ARGV[10])
        local trimTo = math.min(nextSeq - keep * step, trimFrom + (2 * (emitted + skipped) + 100) * step)
        if trimTo > trimFrom then
          local fields = {}
          for s = trimFrom, trimTo - 1, step do fields[#fields + 1] = string.format('%d', s) end
          hdelAll({KEYS[8], KEYS[9], KEYS[10]}, fields)
          redis.call('SET', KEYS[11], string.format('%d', trimTo))
        end
        local outputMax = tonumber(ARGV[7])
        if outputMax > 0 and redis.call('LLEN', KEYS[7]) > outputMax then
          redis.call('LTRIM', KEYS[7], -outputMax, -1)
          local kept = string.match(redis.call('LINDEX', KEYS[7], 0) or '', '^{"seq":(%d+)')
          if kept then redis.call('SET', KEYS[13], kept) end
        end
        local more = 0
        if read == readCount or emitted + skipped == maxPass then more = 1 end
        local result = {1, read, buffered, dropped, emitted, skipped, nextSeq, redis.call('HLEN', KEYS[6]), more, last}
        for i = 1, #info do result[#result + 1] = info[i] end
        return result
        """;

    /// <summary>
    /// The sequence script of per-key mode (<see cref="OrderingMode.PerKey"/>). KEYS: lock, epoch, results stream, cursor,
    /// progress (next-seq: 1 + the ids passed), reorder buffer, output, claims, records, skipped, next-seqs, dead-letter
    /// list, output-cut (how many entries retention cut from the output's head), passed, ready-keys.
    /// ARGV: token, epoch, how many stream entries to read, how many ids to pass at most, now (ISO-8601), how many passed
    /// ids to keep in claims / records / skipped, the most output entries to keep (0: all), the most dead-letter entries to
    /// keep (0: all).
    /// <para>
    /// The global script's steps, with every seq taken per key: a stream entry's <c>seq</c> field is the id
    /// <c>key#seq</c>; it is dropped when its seq is below its key's next seq (in <c>next-seqs</c>, 1 when absent) or the
    /// id is already buffered or read; then for each key it read (and each key a call that reached its limit left in
    /// <c>ready-keys</c>), it passes that key's consecutive next seqs from what it read or from the reorder buffer. Keys
    /// interleave in the output; each key's entries are in its seq order. What it could not pass waits in the buffer, as in
    /// global order; a missing seq holds back only its own key.
    /// </para>
    /// <para>
    /// Retention: each passed id joins the <c>passed</c> list; the claims, records and skips of the ids beyond the newest
    /// ARGV[6] are deleted, in proportion to the ids it passes. The next seq of every key stays (one hash field per key),
    /// so a copy of an old message is still refused. The output and dead-letter lists are cut from their heads to their
    /// limits, and output-cut counts the output entries cut.
    /// </para>
    /// Returns what the global script returns, with the progress counter in place of the next seq and, per emitted
    /// message, its id <c>key#seq</c> in place of its seq.
    /// </summary>
    public const string SequenceByKey = Fenced + LuaFragments.ReadNextSeqs + """
        local nexts, order, seen = {}, {}, {}
        local function touch(key)
          if not seen[key] then
            seen[key] = true
            order[#order + 1] = key
          end
        end
        -- Every key this call may pass: the ones a call left at its limit, and the ones of the entries read. Their next
        -- seqs come in one HMGET per 500 keys (readNextSeqs), not one HGET each.
        local wasReady = redis.call('SMEMBERS', KEYS[15])
        local lookup, asked = {}, {}
        for _, key in ipairs(wasReady) do
          lookup[#lookup + 1] = key
          asked[key] = true
        end
        local parsed = {}
        for i, e in ipairs(entries) do
          local f = fieldsOf(e)
          local id = f['seq'] or ''
          local key, seq = string.match(id, '^(.*)#(%d+)$')
          parsed[i] = {f, id, key, tonumber(seq)}
          if key and not asked[key] then
            lookup[#lookup + 1] = key
            asked[key] = true
          end
        end
        readNextSeqs(KEYS[11], lookup, nexts)
        for _, key in ipairs(wasReady) do touch(key) end
        for i, e in ipairs(entries) do
          last = e[1]
          read = read + 1
          local f, id, key, seq = parsed[i][1], parsed[i][2], parsed[i][3], parsed[i][4]
          if seq == nil or f['body'] == nil or seq < nexts[key] then
            dropped = dropped + 1
          elseif fresh[id] or (waiting and redis.call('HEXISTS', KEYS[6], id) == 1) then
            dropped = dropped + 1
          else
            fresh[id] = f
            buffered = buffered + 1
            touch(key)
          end
        end
        local passed, ready, advanced = {}, {}, {}
        for _, key in ipairs(order) do
          local n = nexts[key]
          local from = n
          while true do
            local id = key .. '#' .. string.format('%d', n)
            if emitted + skipped >= maxPass then
              -- At the limit: the key goes on in the next call if its next result is already here.
              if fresh[id] or (waiting and redis.call('HEXISTS', KEYS[6], id) == 1) then ready[#ready + 1] = key end
              break
            end
            local kind, tp, at, body = take(id)
            if not kind then break end
            pass(id, kind, tp, at, body)
            passed[#passed + 1] = id
            n = n + 1
          end
          if n > from then
            advanced[#advanced + 1] = key
            advanced[#advanced + 1] = string.format('%d', n)
          end
        end
        for i = 1, #advanced, 1000 do redis.call('HSET', KEYS[11], unpack(advanced, i, math.min(i + 999, #advanced))) end
        pushAll(KEYS[7], out)
        pushAll(KEYS[14], passed)
        local progress = tonumber(redis.call('GET', KEYS[5]) or '1')
        if #passed > 0 then
          progress = progress + #passed
          redis.call('SET', KEYS[5], string.format('%d', progress))
        end
        if #wasReady > 0 then redis.call('DEL', KEYS[15]) end
        if #ready > 0 then redis.call('SADD', KEYS[15], unpack(ready)) end
        settle(tonumber(ARGV[8]))
        local over = redis.call('LLEN', KEYS[14]) - tonumber(ARGV[6])
        if over > 0 then
          hdelAll({KEYS[8], KEYS[9], KEYS[10]}, redis.call('LPOP', KEYS[14], math.min(over, 2 * #passed + 100)))
        end
        local outputMax = tonumber(ARGV[7])
        if outputMax > 0 then
          local length = redis.call('LLEN', KEYS[7])
          if length > outputMax then
            redis.call('LTRIM', KEYS[7], -outputMax, -1)
            redis.call('INCRBY', KEYS[13], length - outputMax)
          end
        end
        local more = 0
        if read == readCount or #ready > 0 then more = 1 end
        local result = {1, read, buffered, dropped, emitted, skipped, progress, redis.call('HLEN', KEYS[6]), more, last}
        for i = 1, #info do result[#result + 1] = info[i] end
        return result
        """;
}
