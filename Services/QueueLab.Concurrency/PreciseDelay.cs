namespace QueueLab.Concurrency;

/// <summary>
/// A delay that lasts at least its duration by the precise (monotonic) clock. A timer-based <c>Task.Delay</c> can end
/// a millisecond or more early on Linux (the timer's tick is coarser than the stopwatch), so simulated work would be
/// shorter than its setting in every figure; this waits out whatever is left.
/// </summary>
public static class PreciseDelay
{
    /// <returns>How long it actually waited, by the precise clock (at least <paramref name="duration"/>).</returns>
    public static async Task<TimeSpan> DelayAsync(TimeProvider time, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var elapsed = time.GetElapsedTime(started);
            var remaining = duration - elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return elapsed;
            }

            // Whole milliseconds, rounded up: a timer truncates a shorter due time to zero and fires at once.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
