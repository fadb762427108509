namespace QueueLab.Allocation;

/// <summary>
/// The consumer count of one queue under the proportional rule, with the share it was derived from.
/// </summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Priority">The queue's priority.</param>
/// <param name="ShareNumerator">
/// Numerator of the queue's recomputed share: <c>remaining consumers x priority</c> at the step the share was final.
/// </param>
/// <param name="ShareDenominator">Denominator of the recomputed share: the total priority still in the pool then.</param>
/// <param name="Count">The number of consumers the queue gets.</param>
/// <param name="Pinned">True when the share was below 1 and the queue was pinned at one consumer.</param>
public sealed record QueueShare(
    string Queue, int Priority, long ShareNumerator, long ShareDenominator, int Count, bool Pinned)
{
    /// <summary>The recomputed proportional share as a number (for display and tolerance checks).</summary>
    public double Share => (double)ShareNumerator / ShareDenominator;
}
