using System.Net;
using System.Text;
using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Suites;

/// <summary>
/// Writes a suite run's report folder: the runner's files (report.md, report.html, CSVs, latency.png) plus the suite's
/// headline figures and notes (appended to report.md and inserted into report.html) and its attachments.
/// </summary>
public static class SuiteReport
{
    public static async Task<RunReport> WriteAsync(SuiteOutcome outcome, string reportsRoot, CancellationToken cancellationToken)
    {
        var report = await ReportWriter.WriteAsync(outcome.Result, reportsRoot, cancellationToken).ConfigureAwait(false);

        var md = new StringBuilder("\n## Suite figures\n\n| figure | value |\n| --- | --- |\n");
        foreach (var (name, value) in outcome.Figures)
        {
            md.Append("| ").Append(name).Append(" | ").Append(value).Append(" |\n");
        }

        md.Append('\n');
        foreach (var note in outcome.Notes)
        {
            md.Append("- ").Append(note).Append('\n');
        }

        await File.AppendAllTextAsync(report.Markdown, md.ToString(), cancellationToken).ConfigureAwait(false);

        // The runner's HTML page does not show a suite's extra metrics; insert them after the result line.
        var html = new StringBuilder("<h2>Suite figures</h2>\n<table>\n<tr><th>figure</th><th>value</th></tr>\n");
        foreach (var (name, value) in outcome.Figures)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(name)).Append("</td><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<ul>\n");
        foreach (var note in outcome.Notes)
        {
            html.Append("<li>").Append(WebUtility.HtmlEncode(note)).Append("</li>\n");
        }

        html.Append("</ul>\n");
        var page = await File.ReadAllTextAsync(report.Html, cancellationToken).ConfigureAwait(false);
        var anchor = page.IndexOf("<h2>Summary</h2>", StringComparison.Ordinal);
        page = anchor >= 0 ? page.Insert(anchor, html.ToString()) : page.Replace("</body>", html + "</body>", StringComparison.Ordinal);
        await File.WriteAllTextAsync(report.Html, page, cancellationToken).ConfigureAwait(false);

        foreach (var (name, content) in outcome.Attachments)
        {
            await File.WriteAllTextAsync(Path.Combine(report.Directory, name), content, cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    /// <summary><c>reports/</c> at the repository root (the folder holding QueueLab.sln), or under the current folder.</summary>
    public static string DefaultRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QueueLab.sln")))
            {
                return Path.Combine(dir.FullName, "reports");
            }
        }

        return Path.GetFullPath("reports");
    }

    /// <summary>The summary printed at the end of a run.</summary>
    public static string Summary(SuiteOutcome outcome, RunReport? report)
    {
        var text = new StringBuilder();
        var r = outcome.Result;
        text.Append("== ").Append(r.ScenarioName).Append(": ").Append(r.Passed ? "PASSED" : "FAILED").Append(" ==\n");
        foreach (var (name, value) in outcome.Figures)
        {
            text.Append("  ").Append(name.PadRight(50)).Append(value).Append('\n');
        }

        foreach (var note in outcome.Notes)
        {
            text.Append("  * ").Append(note).Append('\n');
        }

        if (r.Verification is { } verification)
        {
            text.Append("  verification: ").Append(verification.Passed ? "passed" : "FAILED").Append(" (")
                .Append(string.Join(", ", verification.Counts.Select(c => $"{c.Key} {c.Value}"))).Append(")\n");
            if (!verification.Passed)
            {
                text.Append(verification.Text).Append('\n');
            }
        }

        foreach (var t in r.Thresholds)
        {
            text.Append("  ").Append(t.Passed ? "pass  " : "FAIL  ").Append(t.Description).Append(" (actual ").Append(t.Actual).Append(")\n");
        }

        if (r.AbortReason is not null)
        {
            text.Append("  aborted: ").Append(r.AbortReason).Append('\n');
        }

        if (report is not null)
        {
            text.Append("  report: ").Append(report.Html).Append('\n');
        }

        return text.ToString();
    }
}
