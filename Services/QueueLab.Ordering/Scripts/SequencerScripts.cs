namespace QueueLab.Ordering.Scripts;

/// <summary>The sequencers' Lua scripts: the fenced lock, and the one script that emits in order.</summary>
public static class SequencerScripts
{
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
    public const string Sequence = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        if redis.call('GET', KEYS[2]) ~= ARGV[2] then return {-2} end
        local now = ARGV[5]
        local readCount = tonumber(ARGV[3])
        local maxPass = tonumber(ARGV[4])
        local cursor = redis.call('GET', KEYS[4]) or '0-0'
        local step, first = tonumber(ARGV[9]), tonumber(ARGV[10])
        local nextSeq = tonumber(redis.call('GET', KEYS[5]) or ARGV[10])
        local entries = redis.call('XRANGE', KEYS[3], '(' .. cursor, '+', 'COUNT', readCount)
        local waiting = redis.call('HLEN', KEYS[6]) > 0
        local read, buffered, dropped = 0, 0, 0
        local last = cursor
        local fresh = {}
        for _, e in ipairs(entries) do
          last = e[1]
          read = read + 1
          local f = {}
          local kv = e[2]
          for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
          local seq = tonumber(f['seq'])
          if seq == nil or seq < nextSeq or f['body'] == nil then
            dropped = dropped + 1
          else
            local key = string.format('%d', seq)
            if fresh[key] or (waiting and redis.call('HEXISTS', KEYS[6], key) == 1) then
              dropped = dropped + 1
            else
              fresh[key] = f
              buffered = buffered + 1
            end
          end
        end
        local emitted, skipped = 0, 0
        local out, info = {}, {}
        while emitted + skipped < maxPass do
          local key = string.format('%d', nextSeq)
          local kind, tp, at, body
          local f = fresh[key]
          if f then
            fresh[key] = nil
            if f['kind'] == 's' then
              kind = 's'
            else
              kind, tp, at = 'r', f['tp'] or '', f['at'] or ''
              body = string.sub(f['body'], 1, -2) .. ',"sequencingAt":"' .. now .. '"'
            end
          else
            local v = waiting and redis.call('HGET', KEYS[6], key)
            if not v then break end
            redis.call('HDEL', KEYS[6], key)
            kind, tp, at, body = string.match(v, '^(%a)|([^|]*)|([^|]*)|(.*)$')
          end
          if kind == 'r' then
            out[#out + 1] = body .. ',"sequencedAt":"' .. now .. '"}'
            emitted = emitted + 1
            info[#info + 1] = key
            info[#info + 1] = tp
            info[#info + 1] = at
          else
            skipped = skipped + 1
          end
          nextSeq = nextSeq + step
        end
        for i = 1, #out, 500 do
          redis.call('RPUSH', KEYS[7], unpack(out, i, math.min(i + 499, #out)))
        end
        if emitted + skipped > 0 then
          redis.call('SET', KEYS[5], string.format('%d', nextSeq))
        end
        for key, f in pairs(fresh) do
          local value
          if f['kind'] == 's' then
            value = 's|||' .. f['body']
          else
            value = 'r|' .. (f['tp'] or '') .. '|' .. (f['at'] or '') .. '|'
              .. string.sub(f['body'], 1, -2) .. ',"sequencingAt":"' .. now .. '"'
          end
          redis.call('HSET', KEYS[6], key, value)
        end
        -- The cursor moves only once everything read is passed or buffered: a call that fails part-way reads it again.
        if read > 0 then
          redis.call('SET', KEYS[4], last)
          redis.call('XTRIM', KEYS[3], 'MINID', last)
        end
        local keep = tonumber(ARGV[6])
        local trimFrom = tonumber(redis.call('GET', KEYS[11]) or ARGV[10])
        local trimTo = math.min(nextSeq - keep * step, trimFrom + (2 * (emitted + skipped) + 100) * step)
        if trimTo > trimFrom then
          local fields = {}
          for s = trimFrom, trimTo - 1, step do fields[#fields + 1] = string.format('%d', s) end
          for i = 1, #fields, 1000 do
            local j = math.min(i + 999, #fields)
            redis.call('HDEL', KEYS[8], unpack(fields, i, j))
            redis.call('HDEL', KEYS[9], unpack(fields, i, j))
            redis.call('HDEL', KEYS[10], unpack(fields, i, j))
          end
          redis.call('SET', KEYS[11], string.format('%d', trimTo))
        end
        local outputMax, deadMax = tonumber(ARGV[7]), tonumber(ARGV[8])
        if outputMax > 0 and redis.call('LLEN', KEYS[7]) > outputMax then
          redis.call('LTRIM', KEYS[7], -outputMax, -1)
          local kept = string.match(redis.call('LINDEX', KEYS[7], 0) or '', '^{"seq":(%d+)')
          if kept then redis.call('SET', KEYS[13], kept) end
        end
        if deadMax > 0 and redis.call('LLEN', KEYS[12]) > deadMax then redis.call('LTRIM', KEYS[12], -deadMax, -1) end
        local more = 0
        if read == readCount or emitted + skipped == maxPass then more = 1 end
        local result = {1, read, buffered, dropped, emitted, skipped, nextSeq, redis.call('HLEN', KEYS[6]), more, last}
        for i = 1, #info do result[#result + 1] = info[i] end
        return result
        """;
}
