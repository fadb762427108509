using System.Globalization;
using System.Text;

namespace QueueLab.LoadRunner;

/// <summary>The report's CSV files (comma-separated, invariant culture, RFC 4180 quoting).</summary>
internal static class Csv
{
    public const string TimeSeriesHeader =
        "start_s,end_s,ok,failed,dropped,late,in_flight,ok_per_s,latency_p50_ms,latency_p99_ms,latency_max_ms";

    public const string StagesHeader = "stage,count,min_ms,mean_ms,p50_ms,p75_ms,p95_ms,p99_ms,max_ms";

    public static string TimeSeries(RunResult result)
    {
        var csv = new StringBuilder().Append(TimeSeriesHeader).Append('\n');
        foreach (var p in result.TimeSeries)
        {
            csv.AppendJoin(',',
                    D(p.Start.TotalSeconds), D(p.End.TotalSeconds), L(p.Ok), L(p.Failed), L(p.Dropped), L(p.Late), L(p.InFlight),
                    D(p.OkPerSecond), D(p.LatencyP50.TotalMilliseconds), D(p.LatencyP99.TotalMilliseconds), D(p.LatencyMax.TotalMilliseconds))
                .Append('\n');
        }

        return csv.ToString();
    }

    public static string Summary(RunResult result)
    {
        var csv = new StringBuilder().Append("metric,value\n");
        foreach (var (name, value) in result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            csv.Append(Quote(name)).Append(',').Append(D(value)).Append('\n');
        }

        csv.Append("passed,").Append(result.Passed ? '1' : '0').Append('\n');
        foreach (var threshold in result.Thresholds)
        {
            csv.Append(Quote("threshold: " + threshold.Description)).Append(',').Append(threshold.Passed ? '1' : '0').Append('\n');
        }

        foreach (var (reason, count) in result.FailureReasons)
        {
            csv.Append(Quote("failed: " + reason)).Append(',').Append(L(count)).Append('\n');
        }

        foreach (var (reason, count) in result.DropReasons)
        {
            csv.Append(Quote("dropped: " + reason)).Append(',').Append(L(count)).Append('\n');
        }

        return csv.ToString();
    }

    public static string Stages(RunResult result)
    {
        var csv = new StringBuilder().Append(StagesHeader).Append('\n');
        foreach (var stage in result.Stages)
        {
            var s = stage.Latency;
            csv.Append(Quote(stage.Name)).Append(',')
                .AppendJoin(',', L(s.Count), Ms(s.Min), Ms(s.Mean), Ms(s.P50), Ms(s.P75), Ms(s.P95), Ms(s.P99), Ms(s.Max))
                .Append('\n');
        }

        return csv.ToString();
    }

    public static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Ms(TimeSpan value) => D(value.TotalMilliseconds);

    private static string D(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string L(long value) => value.ToString(CultureInfo.InvariantCulture);
}
