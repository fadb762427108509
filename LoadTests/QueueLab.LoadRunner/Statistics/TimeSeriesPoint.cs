namespace QueueLab.LoadRunner;

/// <summary>What completed during one reporting interval of the run (invocations are counted when they complete or are dropped).</summary>
/// <param name="Start">The interval's start, relative to the run's start.</param>
/// <param name="End">The interval's end.</param>
/// <param name="Ok">Invocations that completed ok in the interval.</param>
/// <param name="Failed">Invocations that failed in the interval.</param>
/// <param name="Dropped">Invocations the runner could not start in the interval.</param>
/// <param name="Late">Invocations started later than the lateness tolerance in the interval.</param>
/// <param name="InFlight">Invocations running at the interval's end.</param>
/// <param name="LatencyP50">Median latency of the interval's ok invocations (zero when none).</param>
/// <param name="LatencyP99">99th percentile latency of the interval's ok invocations.</param>
/// <param name="LatencyMax">Largest latency of the interval's ok invocations.</param>
public sealed record TimeSeriesPoint(
    TimeSpan Start,
    TimeSpan End,
    long Ok,
    long Failed,
    long Dropped,
    long Late,
    long InFlight,
    TimeSpan LatencyP50,
    TimeSpan LatencyP99,
    TimeSpan LatencyMax)
{
    /// <summary>Ok invocations per second in the interval.</summary>
    public double OkPerSecond => End > Start ? Ok / (End - Start).TotalSeconds : 0;
}
