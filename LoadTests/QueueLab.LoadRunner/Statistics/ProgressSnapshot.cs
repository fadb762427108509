namespace QueueLab.LoadRunner;

/// <summary>The run's state at one reporting interval, for progress displays.</summary>
/// <param name="ScenarioName">The scenario's name.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="ScheduledDuration">The schedule's length.</param>
/// <param name="ExpectedInvocations">How many invocations the schedule holds, when every step is open-model.</param>
/// <param name="Started">Invocations started so far.</param>
/// <param name="Ok">Ok so far.</param>
/// <param name="Failed">Failed so far.</param>
/// <param name="Dropped">Dropped so far.</param>
/// <param name="Late">Late so far.</param>
/// <param name="InFlight">In flight now.</param>
/// <param name="Interval">The interval that just ended.</param>
public sealed record ProgressSnapshot(
    string ScenarioName,
    TimeSpan Elapsed,
    TimeSpan ScheduledDuration,
    long? ExpectedInvocations,
    long Started,
    long Ok,
    long Failed,
    long Dropped,
    long Late,
    long InFlight,
    TimeSeriesPoint Interval)
{
    /// <summary>The share of the schedule done, 0–1 (by count when known, else by time).</summary>
    public double Fraction =>
        ExpectedInvocations is > 0 and var expected ? Math.Min(1, (Ok + Failed + Dropped) / (double)expected)
        : ScheduledDuration > TimeSpan.Zero ? Math.Min(1, Elapsed / ScheduledDuration)
        : 0;
}
