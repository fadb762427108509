namespace QueueLab.Ordering.Scripts;

/// <summary>Lua shared by the processors' and the sequencers' scripts, prepended to the scripts that use it.</summary>
internal static class LuaFragments
{
    /// <summary>
    /// <c>readNextSeqs(hash, keys, nexts)</c>: per-key mode's lookup of every key's next seq in <c>next-seqs</c> (1 when
    /// absent) into the table <c>nexts</c>, one HMGET per 500 keys instead of one HGET each.
    /// </summary>
    public const string ReadNextSeqs = """
        local function readNextSeqs(hash, keys, nexts)
          for i = 1, #keys, 500 do
            local j = math.min(i + 499, #keys)
            local values = redis.call('HMGET', hash, unpack(keys, i, j))
            for k = i, j do nexts[keys[k]] = tonumber(values[k - i + 1] or '1') end
          end
        end

        """;
}
