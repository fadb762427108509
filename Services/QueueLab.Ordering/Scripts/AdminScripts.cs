namespace QueueLab.Ordering.Scripts;

/// <summary>Operator scripts on pipeline B's state (the dashboard's commands and the test suites use them).</summary>
public static class AdminScripts
{
    /// <summary>
    /// KEYS: processors, input, reorder buffer, quarantine, results stream, cursor. ARGV: in-flight key prefix. Counts
    /// where the messages pushed and not yet passed are, into the locals <c>input</c>, <c>inFlight</c> (every registered
    /// processor's in-flight list), <c>buffered</c>, <c>quarantined</c> and <c>unread</c> (results after the cursor: the
    /// sequencer trims the stream up to its cursor, so at most the cursor's own entry is older). The start of the
    /// scripts below.
    /// </summary>
    private const string OnItsWay = """
        local inFlight = 0
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          inFlight = inFlight + redis.call('LLEN', ARGV[1] .. id)
        end
        local input = redis.call('LLEN', KEYS[2])
        local buffered = redis.call('HLEN', KEYS[3])
        local quarantined = redis.call('LLEN', KEYS[4])
        local cursor = redis.call('GET', KEYS[6]) or '0-0'
        local unread = redis.call('XLEN', KEYS[5])
        if unread > 0 and redis.call('XRANGE', KEYS[5], '-', '+', 'COUNT', 1)[1][1] == cursor then
          unread = unread - 1
        end
        """;

    /// <summary>
    /// KEYS and ARGV as <see cref="OnItsWay"/>. Read only: returns {input, in flight, unread results, buffered,
    /// quarantined}, one consistent snapshot of the pipeline's backlog.
    /// </summary>
    public const string Backlog = OnItsWay + "\n" + """
        return {input, inFlight, unread, buffered, quarantined}
        """;

    /// <summary>
    /// KEYS as <see cref="OnItsWay"/>, then every data key to delete. ARGV: in-flight key prefix. Atomically: refuses
    /// with {0, input, in flight, buffered, quarantined, unread results} while any message is still on its way (so a
    /// message pushed before the call is never deleted unseen, and one pushed after it stays), otherwise deletes the data
    /// keys and returns {1, keys deleted}.
    /// </summary>
    public const string Clear = OnItsWay + "\n" + """
        if input + inFlight + buffered + quarantined + unread > 0 then
          return {0, input, inFlight, buffered, quarantined, unread}
        end
        local deleted = 0
        for i = 5, #KEYS do deleted = deleted + redis.call('DEL', KEYS[i]) end
        return {1, deleted}
        """;
}
