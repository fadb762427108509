namespace QueueLab.Ordering.Scripts;

/// <summary>Operator scripts on pipeline B's state (the dashboard's commands and the test suites use them).</summary>
public static class AdminScripts
{
    /// <summary>
    /// KEYS: processors, input, reorder buffer, quarantine, results stream, cursor, then every data key to delete.
    /// ARGV: in-flight key prefix. Atomically: refuses with {0, input, in flight, buffered, quarantined, unread results}
    /// while any message is still on its way (so a message pushed before the call is never deleted unseen, and one
    /// pushed after it stays), otherwise deletes the data keys and returns {1, keys deleted}.
    /// </summary>
    public const string Clear = """
        local inFlight = 0
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          inFlight = inFlight + redis.call('LLEN', ARGV[1] .. id)
        end
        local input = redis.call('LLEN', KEYS[2])
        local buffered = redis.call('HLEN', KEYS[3])
        local quarantined = redis.call('LLEN', KEYS[4])
        local cursor = redis.call('GET', KEYS[6]) or '0-0'
        local unread = #redis.call('XRANGE', KEYS[5], '(' .. cursor, '+', 'COUNT', 1)
        if input + inFlight + buffered + quarantined + unread > 0 then
          return {0, input, inFlight, buffered, quarantined, unread}
        end
        local deleted = 0
        for i = 5, #KEYS do deleted = deleted + redis.call('DEL', KEYS[i]) end
        return {1, deleted}
        """;
}
