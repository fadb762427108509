using System.Globalization;
using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Suites;

/// <summary>Invariant-culture formatting for the suites' figures.</summary>
public static class Fmt
{
    public static string N(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan value) => N(value.TotalSeconds, "0.000") + " s";

    public static string Ms(TimeSpan value) => N(value.TotalMilliseconds, "0.0") + " ms";

    public static string Rate(double perSecond) => N(perSecond, "0") + " msg/s";

    public static string Percentiles(LatencyStats s) =>
        s.Count == 0 ? "-" : $"p50 {Ms(s.P50)}, p95 {Ms(s.P95)}, p99 {Ms(s.P99)}, max {Ms(s.Max)}";

    /// <summary>The figures of every stage of a run, one line each.</summary>
    public static IEnumerable<(string Name, string Value)> Stages(RunResult result) =>
        result.Stages.Select(s => ("stage " + s.Name, Percentiles(s.Latency)));
}
