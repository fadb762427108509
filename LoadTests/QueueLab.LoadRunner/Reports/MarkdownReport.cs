using System.Globalization;
using System.Text;

namespace QueueLab.LoadRunner;

/// <summary>The report as Markdown.</summary>
internal static class MarkdownReport
{
    public static string Render(RunResult result, RunReport files)
    {
        var md = new StringBuilder();
        md.Append("# Load run: ").Append(result.ScenarioName).Append("\n\n");
        md.Append("**Result: ").Append(result.Passed ? "PASSED" : "FAILED").Append("**");
        if (result.AbortReason is not null)
        {
            md.Append(" (aborted: ").Append(Cell(result.AbortReason)).Append(')');
        }

        md.Append("\n\n");
        md.Append("- Run: `").Append(result.RunId).Append("`, started ")
            .Append(result.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)).Append('\n');
        md.Append("- Schedule: ").Append(string.Join(", then ", result.Phases.Select(p => p.Simulation.Describe())))
            .Append(" (").Append(Formatting.Duration(result.ScheduledDuration)).Append(")\n");
        md.Append("- Latency is measured from each invocation's intended start on the schedule (no coordinated omission).\n\n");

        md.Append("## Summary\n\n| metric | value |\n| --- | ---: |\n");
        foreach (var (name, value) in SummaryRows(result))
        {
            md.Append("| ").Append(name).Append(" | ").Append(value).Append(" |\n");
        }

        md.Append("\n## Thresholds\n\n");
        if (result.Thresholds.Count == 0)
        {
            md.Append("None.\n");
        }
        else
        {
            md.Append("| threshold | actual | result |\n| --- | ---: | --- |\n");
            foreach (var t in result.Thresholds)
            {
                md.Append("| ").Append(Cell(t.Description)).Append(" | ").Append(Cell(t.Actual)).Append(" | ")
                    .Append(t.Passed ? "pass" : "**FAIL**").Append(" |\n");
            }
        }

        md.Append("\n## Latency percentiles\n\n");
        md.Append(LatencyHeader("measure"));
        md.Append(LatencyRow("ok, from intended start", result.Latency));
        md.Append(LatencyRow("failed, from intended start", result.FailedLatency));
        md.Append(LatencyRow("runner start lateness", result.StartLateness));

        md.Append("\n## Stages\n\n");
        if (result.Stages.Count == 0)
        {
            md.Append("No stage measurements were reported.\n");
        }
        else
        {
            md.Append(LatencyHeader("stage"));
            foreach (var stage in result.Stages)
            {
                md.Append(LatencyRow(stage.Name, stage.Latency));
            }
        }

        AppendReasons(md, "Failures", result.FailureReasons);
        AppendReasons(md, "Dropped (not started)", result.DropReasons);

        if (result.Verification is { } verification)
        {
            md.Append("\n## Verification\n\n**").Append(verification.Passed ? "passed" : "FAILED").Append("**\n\n");
            if (verification.Counts.Count > 0)
            {
                md.Append("| count | value |\n| --- | ---: |\n");
                foreach (var (name, count) in verification.Counts)
                {
                    md.Append("| ").Append(Cell(name)).Append(" | ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
                }
            }

            if (!string.IsNullOrWhiteSpace(verification.Text))
            {
                md.Append("\n```text\n").Append(verification.Text.TrimEnd()).Append("\n```\n");
            }
        }

        if (result.ExtraMetrics.Count > 0)
        {
            md.Append("\n## Suite metrics\n\n| metric | value |\n| --- | ---: |\n");
            foreach (var (name, value) in result.ExtraMetrics)
            {
                md.Append("| ").Append(Cell(name)).Append(" | ").Append(Formatting.Number(Math.Round(value, 4))).Append(" |\n");
            }
        }

        md.Append("\n## Files\n\n");
        md.Append("- [HTML report with plots](").Append(Path.GetFileName(files.Html)).Append(")\n");
        md.Append("- [time series CSV](").Append(Path.GetFileName(files.TimeSeriesCsv)).Append(")\n");
        md.Append("- [summary CSV](").Append(Path.GetFileName(files.SummaryCsv)).Append(")\n");
        md.Append("- [stages CSV](").Append(Path.GetFileName(files.StagesCsv)).Append(")\n");
        md.Append("\n![latency and throughput over time](").Append(Path.GetFileName(files.MainPlotPng)).Append(")\n");
        return md.ToString();
    }

    /// <summary>The summary rows shared by the Markdown and HTML reports.</summary>
    public static IEnumerable<(string Name, string Value)> SummaryRows(RunResult r)
    {
        yield return ("requested", N(r.Requested));
        yield return ("ok", N(r.Ok));
        yield return ("failed", N(r.Failed));
        yield return ("dropped (not started)", N(r.Dropped));
        yield return ("late (started behind schedule)", N(r.Late));
        yield return ("throughput (ok/s)", Formatting.Fixed(r.ThroughputPerSecond));
        yield return ("duration", Formatting.Duration(r.Duration));
        yield return ("scheduled duration", Formatting.Duration(r.ScheduledDuration));
        yield return ("max concurrency", N(r.MaxConcurrency));
        yield return ("latency p50", Formatting.Ms(r.Latency.P50));
        yield return ("latency p99", Formatting.Ms(r.Latency.P99));
        yield return ("latency max", Formatting.Ms(r.Latency.Max));
    }

    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string LatencyHeader(string first) =>
        $"| {first} | count | min | mean | p50 | p75 | p95 | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";

    private static string LatencyRow(string name, LatencyStats s) =>
        $"| {Cell(name)} | {N(s.Count)} | {Formatting.Ms(s.Min)} | {Formatting.Ms(s.Mean)} | {Formatting.Ms(s.P50)} | {Formatting.Ms(s.P75)} | {Formatting.Ms(s.P95)} | {Formatting.Ms(s.P99)} | {Formatting.Ms(s.Max)} |\n";

    private static void AppendReasons(StringBuilder md, string title, IReadOnlyDictionary<string, long> reasons)
    {
        md.Append("\n## ").Append(title).Append("\n\n");
        if (reasons.Count == 0)
        {
            md.Append("None.\n");
            return;
        }

        md.Append("| reason | count |\n| --- | ---: |\n");
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value))
        {
            md.Append("| ").Append(Cell(reason)).Append(" | ").Append(N(count)).Append(" |\n");
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
