namespace QueueLab.Sequencer;

/// <summary>
/// Watches the next expected seq: while later results wait in the reorder buffer and the next seq does not
/// advance, that is a gap. Says once per gap when it has lasted longer than the warning threshold.
/// </summary>
public sealed class GapMonitor(TimeProvider time, TimeSpan warnAfter)
{
    private long _nextSeq = -1;
    private long _since;
    private bool _warned;

    /// <summary>How long the current gap has lasted (zero when there is none).</summary>
    public TimeSpan Current { get; private set; }

    /// <returns>True exactly once per gap, when it first exceeds the warning threshold.</returns>
    public bool Observe(long nextSeq, long bufferDepth)
    {
        var now = time.GetTimestamp();
        if (nextSeq != _nextSeq || bufferDepth == 0)
        {
            _nextSeq = nextSeq;
            _since = now;
            _warned = false;
            Current = TimeSpan.Zero;
            return false;
        }

        Current = time.GetElapsedTime(_since, now);
        if (!_warned && Current >= warnAfter)
        {
            _warned = true;
            return true;
        }

        return false;
    }
}
