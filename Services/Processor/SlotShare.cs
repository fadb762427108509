namespace QueueLab.Processor;

/// <summary>
/// How the partitions of one processor share its <c>MaxInFlight</c> slots fairly: a partition's take grabs at most
/// <see cref="Limit"/> free slots at once, the slots divided by the partitions that have input (a partition blocked on
/// an empty input does not count). With one partition, or one busy partition, that is every slot.
/// </summary>
public sealed class SlotShare(int slots, int partitions)
{
    private int _busy = partitions;

    /// <summary>The most slots one take may grab now (at least 1).</summary>
    public int Limit => Math.Max(1, (slots + Math.Max(1, Volatile.Read(ref _busy)) - 1) / Math.Max(1, Volatile.Read(ref _busy)));

    /// <summary>A partition's input was empty: it blocks until a message arrives.</summary>
    public void Idle() => Interlocked.Decrement(ref _busy);

    /// <summary>The partition woke up to take again.</summary>
    public void Busy() => Interlocked.Increment(ref _busy);
}
