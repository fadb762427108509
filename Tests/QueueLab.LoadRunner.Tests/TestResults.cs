using HdrHistogram;
using QueueLab.LoadRunner;

namespace QueueLab.LoadRunner.Tests;

/// <summary>Builds run results with known data, without running anything.</summary>
internal static class TestResults
{
    public static RunResult WithLatencies(IEnumerable<TimeSpan> latencies)
    {
        var histogram = new LongConcurrentHistogram(1, 3_600_000_000, 3);
        foreach (var latency in latencies)
        {
            histogram.RecordValue(Math.Max(1, (long)latency.TotalMicroseconds));
        }

        var schedule = LoadSchedule.Build([Simulation.Burst((int)histogram.TotalCount)]);
        return new RunResult
        {
            ScenarioName = "known-data",
            RunId = "known-data",
            StartedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Duration = TimeSpan.FromSeconds(1),
            ScheduledDuration = schedule.Duration,
            Phases = schedule.Phases,
            Ok = histogram.TotalCount,
            Failed = 0,
            Dropped = 0,
            Late = 0,
            FailureReasons = new Dictionary<string, long>(),
            DropReasons = new Dictionary<string, long>(),
            Latency = LatencyStats.From(histogram),
            FailedLatency = LatencyStats.Empty,
            StartLateness = LatencyStats.Empty,
            Stages = [],
            TimeSeries = [],
            LatencyDistribution = [],
            MaxConcurrency = 1,
            LatencyHistogram = histogram,
        };
    }
}
