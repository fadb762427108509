namespace QueueLab.Sequencer;

/// <summary>
/// The leader's local view of its lock: valid until <c>LockTtl - ClockMargin</c> after the last renewal that
/// Redis confirmed, measured from when that renewal was sent (the lock cannot expire in Redis before then).
/// </summary>
/// <param name="acquiredAt">When the acquiring call was sent (a <see cref="TimeProvider.GetTimestamp"/> value).</param>
public sealed class LeaderLease(TimeProvider time, TimeSpan lockTtl, TimeSpan clockMargin, long epoch, long acquiredAt)
{
    private long _validUntil = acquiredAt + ToTicks(lockTtl - clockMargin, time);

    public long Epoch => epoch;

    /// <summary>Records a renewal Redis confirmed, sent at <paramref name="sentAt"/> (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    public void Renewed(long sentAt) => Interlocked.Exchange(ref _validUntil, sentAt + ToTicks(lockTtl - clockMargin, time));

    public bool IsValid => time.GetTimestamp() < Interlocked.Read(ref _validUntil);

    /// <summary>How long the lease still holds (negative once it has lapsed).</summary>
    public TimeSpan Remaining => TimeSpan.FromSeconds((Interlocked.Read(ref _validUntil) - time.GetTimestamp()) / (double)time.TimestampFrequency);

    private static long ToTicks(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
