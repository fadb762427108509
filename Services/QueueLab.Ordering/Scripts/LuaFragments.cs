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

    /// <summary>
    /// <c>reclaimLost(claims, next, mode, firstSeq, id, fp)</c>: for a claim id that has no claim at all, claims it for
    /// this message (and returns the fingerprint) when its seq is not yet passed (<c>next-seq</c>, absent: the partition's
    /// first seq; per key, its key's next seq in <c>next-seqs</c>, absent: 1); otherwise returns false (passed, its claim
    /// trimmed: decided). A message reaches a result or a skip only after its claim, so a claim that is gone while its seq
    /// is still ahead was rolled back: a Redis restarted on an AOF that missed its last write, or a failover to a replica
    /// that had not received it. Without this the message would be dead-lettered as a duplicate and its seq never decided.
    /// </summary>
    public const string ReclaimLost = """
        local function reclaimLost(claims, next, mode, firstSeq, id, fp)
          local seq, floor
          if mode == 'k' then
            local key, n = string.match(id, '^(.*)#(%d+)$')
            if not key then return false end
            seq, floor = tonumber(n), tonumber(redis.call('HGET', next, key) or '1')
          else
            seq, floor = tonumber(id), tonumber(redis.call('GET', next) or firstSeq)
          end
          if seq == nil or seq < floor then return false end
          redis.call('HSET', claims, id, fp)
          return fp
        end

        """;
}
