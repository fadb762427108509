using System.Text;

namespace QueueLab.LoadRunner;

/// <summary>Writes a run's report files into a folder of their own.</summary>
public static class ReportWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes report.md, report.html (self-contained, with plots), summary.csv, timeseries.csv, stages.csv and latency.png
    /// into <c>{reportsRoot}/{RunId}</c> (a numeric suffix is added if that folder exists) and returns their paths.
    /// </summary>
    public static async Task<RunReport> WriteAsync(RunResult result, string reportsRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(reportsRoot);
        var directory = UniqueDirectory(Path.Combine(reportsRoot, ReportNames.Sanitize(result.RunId)));
        var report = new RunReport(
            directory,
            Path.Combine(directory, "report.md"),
            Path.Combine(directory, "report.html"),
            Path.Combine(directory, "summary.csv"),
            Path.Combine(directory, "timeseries.csv"),
            Path.Combine(directory, "stages.csv"),
            Path.Combine(directory, "latency.png"));

        var main = PlotRenderer.Main(result);
        var latency = PlotRenderer.LatencyOverTime(result);
        var throughput = PlotRenderer.ThroughputOverTime(result);
        var histogram = PlotRenderer.LatencyHistogram(result);

        await File.WriteAllBytesAsync(report.MainPlotPng, main, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(report.Markdown, MarkdownReport.Render(result, report), Utf8, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(report.Html, HtmlReport.Render(result, latency, throughput, histogram), Utf8, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(report.SummaryCsv, Csv.Summary(result), Utf8, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(report.TimeSeriesCsv, Csv.TimeSeries(result), Utf8, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(report.StagesCsv, Csv.Stages(result), Utf8, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private static string UniqueDirectory(string path)
    {
        var candidate = path;
        for (var i = 2; Directory.Exists(candidate); i++)
        {
            candidate = $"{path}-{i}";
        }

        Directory.CreateDirectory(candidate);
        return candidate;
    }
}
