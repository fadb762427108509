namespace QueueLab.Ordering.Redis;

/// <summary>
/// Where pipeline B's messages are between the input and the output, in one snapshot: waiting in the input, taken by
/// a processor (in-flight lists), processed and not yet read by the sequencer (results stream), read and waiting for
/// an earlier seq (reorder buffer), or held back for dead-lettering (quarantine).
/// </summary>
public sealed record OrderingBacklog(long Input, long InFlight, long Results, long ReorderBuffer, long Quarantine)
{
    /// <summary>How far the output is behind the input: messages pushed and neither passed to the output nor
    /// dead-lettered yet.</summary>
    public long OutputLag => Input + InFlight + Results + ReorderBuffer + Quarantine;
}
