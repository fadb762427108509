namespace QueueLab.Ordering.Scripts;

/// <summary>Reading pipeline B's output while its retention cuts it from the head (read-only scripts).</summary>
public static class OutputScripts
{
    /// <summary>
    /// KEYS: output. ARGV: index hint, last seq read (0: none), how many entries at most.
    /// <para>
    /// The output holds the sequencer's JSON in strictly increasing seq order (each entry's first field is <c>seq</c>),
    /// and its retention removes entries from the head, which moves every index. The hint is where the reader expects
    /// the entry after the last seq it read; when the entry before the hint is not that seq any more, the script finds
    /// the first entry with a greater seq by binary search. Atomic, so no trim falls between finding the place and reading.
    /// </para>
    /// Returns {index of the first entry returned, whether the reader fell behind the retention (1: entries after the
    /// last seq read may have been cut before it read them), the entries...}.
    /// </summary>
    public const string ReadAfter = """
        local function seqAt(i)
          local v = redis.call('LINDEX', KEYS[1], i)
          if not v then return nil end
          return tonumber(string.match(v, '^{"seq":(%d+)'))
        end
        local pos, last, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local length = redis.call('LLEN', KEYS[1])
        local behind = 0
        if last > 0 and (pos > length or (pos > 0 and seqAt(pos - 1) ~= last) or (pos == 0 and length > 0 and (seqAt(0) or 0) <= last)) then
          local lo, hi = 0, length
          while lo < hi do
            local mid = math.floor((lo + hi) / 2)
            local s = seqAt(mid)
            if s and s > last then hi = mid else lo = mid + 1 end
          end
          pos = lo
          if lo == 0 and length > 0 and (seqAt(0) or 0) > last + 1 then behind = 1 end
        end
        local result = {pos, behind}
        if pos < length and count > 0 then
          for _, v in ipairs(redis.call('LRANGE', KEYS[1], pos, pos + count - 1)) do result[#result + 1] = v end
        end
        return result
        """;

    /// <summary>
    /// Per-key mode, where output entries are not in seq order: KEYS: output, output-cut (how many entries retention has cut
    /// from the head in all). ARGV: absolute position (entries cut + index), how many entries at most. Reads from that
    /// position in one atomic step. Returns {the absolute position of the first entry returned, whether the reader fell
    /// behind the retention (1: entries from its position were cut before it read them), the entries...}.
    /// </summary>
    public const string ReadFrom = """
        local cut = tonumber(redis.call('GET', KEYS[2]) or '0')
        local from = tonumber(ARGV[1]) - cut
        local behind = 0
        if from < 0 then
          behind = 1
          from = 0
        end
        local result = {cut + from, behind}
        local count = tonumber(ARGV[2])
        if count > 0 then
          for _, v in ipairs(redis.call('LRANGE', KEYS[1], from, from + count - 1)) do result[#result + 1] = v end
        end
        return result
        """;
}
