using System.Globalization;
using System.Net;
using System.Text;

namespace QueueLab.LoadRunner;

/// <summary>The report as one self-contained HTML page (styles inline, plots embedded as base64 PNGs).</summary>
internal static class HtmlReport
{
    /// <summary>The ids of the embedded plot figures.</summary>
    public static readonly string[] PlotIds = ["latency-over-time", "throughput-over-time", "latency-histogram"];

    public static string Render(RunResult result, byte[] latencyOverTime, byte[] throughputOverTime, byte[] latencyHistogram)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Load run: ")
            .Append(E(result.ScenarioName)).Append("</title>\n<style>\n")
            .Append("body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}")
            .Append(".pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}")
            .Append("figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #ddd}pre{background:#f6f8fa;padding:.8rem;overflow:auto}")
            .Append("\n</style>\n</head>\n<body>\n");
        html.Append("<h1>Load run: ").Append(E(result.ScenarioName)).Append("</h1>\n");
        html.Append("<p class=\"").Append(result.Passed ? "pass" : "fail").Append("\">Result: ").Append(result.Passed ? "PASSED" : "FAILED");
        if (result.AbortReason is not null)
        {
            html.Append(" (aborted: ").Append(E(result.AbortReason)).Append(')');
        }

        html.Append("</p>\n<p>Run <code>").Append(E(result.RunId)).Append("</code>, started ")
            .Append(E(result.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)))
            .Append(". Schedule: ").Append(E(string.Join(", then ", result.Phases.Select(p => p.Simulation.Describe()))))
            .Append(". Latency is measured from each invocation's intended start on the schedule.</p>\n");

        html.Append("<h2>Summary</h2>\n<table>\n<tr><th>metric</th><th>value</th></tr>\n");
        foreach (var (name, value) in MarkdownReport.SummaryRows(result))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<h2>Thresholds</h2>\n");
        if (result.Thresholds.Count == 0)
        {
            html.Append("<p>None.</p>\n");
        }
        else
        {
            html.Append("<table>\n<tr><th>threshold</th><th>actual</th><th>result</th></tr>\n");
            foreach (var t in result.Thresholds)
            {
                html.Append("<tr><td>").Append(E(t.Description)).Append("</td><td>").Append(E(t.Actual)).Append("</td><td class=\"")
                    .Append(t.Passed ? "pass\">pass" : "fail\">FAIL").Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<h2>Plots</h2>\n");
        Figure(html, PlotIds[0], "Latency over time (p50, p99, max per interval)", latencyOverTime);
        Figure(html, PlotIds[1], "Throughput over time (ok, failed, dropped per second)", throughputOverTime);
        Figure(html, PlotIds[2], "Latency histogram (ok invocations)", latencyHistogram);

        html.Append("<h2>Latency percentiles</h2>\n");
        LatencyTable(html, "measure", [("ok, from intended start", result.Latency), ("failed, from intended start", result.FailedLatency), ("runner start lateness", result.StartLateness)]);
        html.Append("<h2>Stages</h2>\n");
        if (result.Stages.Count == 0)
        {
            html.Append("<p>No stage measurements were reported.</p>\n");
        }
        else
        {
            LatencyTable(html, "stage", [.. result.Stages.Select(s => (s.Name, s.Latency))]);
        }

        Reasons(html, "Failures", result.FailureReasons);
        Reasons(html, "Dropped (not started)", result.DropReasons);
        if (result.Verification is { } verification)
        {
            html.Append("<h2>Verification</h2>\n<p class=\"").Append(verification.Passed ? "pass\">passed" : "fail\">FAILED").Append("</p>\n");
            if (verification.Counts.Count > 0)
            {
                html.Append("<table>\n<tr><th>count</th><th>value</th></tr>\n");
                foreach (var (name, count) in verification.Counts)
                {
                    html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
                }

                html.Append("</table>\n");
            }

            if (!string.IsNullOrWhiteSpace(verification.Text))
            {
                html.Append("<pre>").Append(E(verification.Text)).Append("</pre>\n");
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Figure(StringBuilder html, string id, string caption, byte[] png) =>
        html.Append("<figure id=\"").Append(id).Append("\">\n<img alt=\"").Append(E(caption)).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\">\n<figcaption>").Append(E(caption)).Append("</figcaption>\n</figure>\n");

    private static void LatencyTable(StringBuilder html, string first, IReadOnlyList<(string Name, LatencyStats Stats)> rows)
    {
        html.Append("<table>\n<tr><th>").Append(E(first)).Append("</th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p75</th><th>p95</th><th>p99</th><th>max</th></tr>\n");
        foreach (var (name, s) in rows)
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (var value in new[] { s.Min, s.Mean, s.P50, s.P75, s.P95, s.P99, s.Max })
            {
                html.Append("<td>").Append(E(Formatting.Ms(value))).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void Reasons(StringBuilder html, string title, IReadOnlyDictionary<string, long> reasons)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2>\n");
        if (reasons.Count == 0)
        {
            html.Append("<p>None.</p>\n");
            return;
        }

        html.Append("<table>\n<tr><th>reason</th><th>count</th></tr>\n");
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value))
        {
            html.Append("<tr><td>").Append(E(reason)).Append("</td><td>").Append(count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
