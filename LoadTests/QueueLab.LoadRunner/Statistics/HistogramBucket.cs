namespace QueueLab.LoadRunner;

/// <summary>One bar of a latency histogram: how many values fell in [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="From">The bucket's lower bound.</param>
/// <param name="To">The bucket's upper bound.</param>
/// <param name="Count">How many values fell in it.</param>
public sealed record HistogramBucket(TimeSpan From, TimeSpan To, long Count);
