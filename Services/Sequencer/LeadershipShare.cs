namespace QueueLab.Sequencer;

/// <summary>
/// How many of the partitions' locks this sequencer holds against its fair share: the partitions divided by the
/// sequencers that say they are up and ready (rounded up). A sequencer at or above its share lets one below it ask for a
/// free lock first; one above it hands a partition over (<see cref="SequencerWorker"/>). Unpartitioned, a standby holds
/// nothing, so it is always below its share of one.
/// </summary>
public sealed class LeadershipShare(int partitions)
{
    private int _held;
    private int _ready = 1;

    public int Partitions => partitions;

    /// <summary>The partitions this sequencer leads now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>The most partitions a sequencer should lead: ceil(partitions / ready sequencers).</summary>
    public int Share
    {
        get
        {
            var ready = Math.Max(1, Volatile.Read(ref _ready));
            return (partitions + ready - 1) / ready;
        }
    }

    /// <summary>Whether this sequencer leads its share already (it lets others ask first).</summary>
    public bool AtOrAboveShare => Held >= Share;

    /// <summary>Whether this sequencer leads more than its share (it should hand one over).</summary>
    public bool AboveShare => Held > Share;

    /// <summary>How many sequencers say they are up and ready to lead, this one included (from the announcements).</summary>
    public void ReadySequencers(long ready) => Volatile.Write(ref _ready, (int)Math.Clamp(ready, 1, int.MaxValue));

    public void Acquired() => Interlocked.Increment(ref _held);

    public void Released() => Interlocked.Decrement(ref _held);
}
