using System.Globalization;
using System.Text.RegularExpressions;
using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

public sealed partial class ReportTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "queuelab-loadrunner-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<RunResult> SmallRunAsync()
    {
        var scenario = Scenario.Create("report demo", async (context, token) =>
        {
            await Task.Delay(context.InvocationNumber % 3 == 0 ? 5 : 1, token);
            context.Record("queue wait", TimeSpan.FromMilliseconds(2));
            context.Record("processing", TimeSpan.FromMilliseconds(3 + (context.InvocationNumber % 4)));
            return context.InvocationNumber == 7 ? StepResult.Fail("rejected, by server") : StepResult.Ok();
        }).WithLoadSimulations(Simulation.Burst(20), Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300)));

        return await ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            Progress = ProgressMode.None,
            ReportingInterval = TimeSpan.FromMilliseconds(50),
            Thresholds = [Threshold.Latency(99, TimeSpan.FromSeconds(2)), Threshold.NoFailures()],
            Verify = _ => ValueTask.FromResult<IInvariantReport>(
                VerificationResult.FromCounts(new Dictionary<string, long> { ["lost"] = 0, ["duplicated"] = 0, ["reordered"] = 0 }, "all 50 messages accounted for")),
        }, Ct);
    }

    [Fact]
    public async Task A_run_writes_markdown_csv_html_and_png_into_its_own_folder()
    {
        var result = await SmallRunAsync();

        var report = await ReportWriter.WriteAsync(result, _root, Ct);

        Path.GetDirectoryName(report.Directory).ShouldBe(_root);
        foreach (var file in new[] { report.Markdown, report.Html, report.SummaryCsv, report.TimeSeriesCsv, report.StagesCsv, report.MainPlotPng })
        {
            Path.GetDirectoryName(file).ShouldBe(report.Directory);
            new FileInfo(file).Length.ShouldBeGreaterThan(0, file);
        }

        var again = await ReportWriter.WriteAsync(result, _root, Ct);
        again.Directory.ShouldNotBe(report.Directory); // a folder per run, never overwritten
    }

    [Fact]
    public async Task The_markdown_report_holds_the_summary_thresholds_percentiles_and_stage_tables()
    {
        var result = await SmallRunAsync();

        var report = await ReportWriter.WriteAsync(result, _root, Ct);
        var md = await File.ReadAllTextAsync(report.Markdown, Ct);

        md.ShouldStartWith("# Load run: report demo");
        md.ShouldContain("**Result: FAILED**"); // one failure breaks "failed == 0"
        md.ShouldContain("| metric | value |");
        md.ShouldContain($"| ok | {result.Ok} |");
        md.ShouldContain("| failed | 1 |");
        md.ShouldContain("| threshold | actual | result |");
        md.ShouldContain("| p99 < 2s |");
        md.ShouldContain("| failed == 0 | 1 | **FAIL** |");
        md.ShouldContain("| measure | count | min | mean | p50 | p75 | p95 | p99 | max |");
        md.ShouldContain("| stage | count | min | mean | p50 | p75 | p95 | p99 | max |");
        md.ShouldContain("| queue wait | 50 | 2.00 ms |");
        md.ShouldContain("| processing | 50 |");
        md.ShouldContain("| rejected, by server | 1 |");
        md.ShouldContain("## Verification");
        md.ShouldContain("| lost | 0 |");
        md.ShouldContain("all 50 messages accounted for");
        md.ShouldContain("Schedule: burst 20, then inject 100 per 1s during 300ms");
        md.ShouldContain("(latency.png)");
    }

    [Fact]
    public async Task The_csv_files_parse_and_add_up()
    {
        var result = await SmallRunAsync();

        var report = await ReportWriter.WriteAsync(result, _root, Ct);

        var series = await File.ReadAllLinesAsync(report.TimeSeriesCsv, Ct);
        series[0].ShouldBe("start_s,end_s,ok,failed,dropped,late,in_flight,ok_per_s,latency_p50_ms,latency_p99_ms,latency_max_ms");
        var rows = series.Skip(1).Select(line => line.Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToList();
        rows.Count.ShouldBe(result.TimeSeries.Count);
        rows.ShouldAllBe(r => r.Length == 11);
        rows.Sum(r => r[2]).ShouldBe(result.Ok);
        rows.Sum(r => r[3]).ShouldBe(result.Failed);
        rows.Zip(rows.Skip(1), (a, b) => b[0] >= a[0]).ShouldAllBe(ordered => ordered);

        var summary = (await File.ReadAllLinesAsync(report.SummaryCsv, Ct)).Skip(1).Select(ParseCsvLine).ToDictionary(f => f[0], f => f[1]);
        summary["ok"].ShouldBe(result.Ok.ToString(CultureInfo.InvariantCulture));
        summary["failed"].ShouldBe("1");
        summary["lost"].ShouldBe("0");
        summary["passed"].ShouldBe("0");
        summary["failed: rejected, by server"].ShouldBe("1");
        double.Parse(summary["latency_p99_ms"], CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);

        var stages = await File.ReadAllLinesAsync(report.StagesCsv, Ct);
        stages[0].ShouldBe("stage,count,min_ms,mean_ms,p50_ms,p75_ms,p95_ms,p99_ms,max_ms");
        stages.Skip(1).Select(ParseCsvLine).Select(f => f[0]).ShouldBe(["queue wait", "processing"]);
    }

    [Fact]
    public async Task The_html_page_is_self_contained_with_three_embedded_png_plots()
    {
        var result = await SmallRunAsync();

        var report = await ReportWriter.WriteAsync(result, _root, Ct);
        var html = await File.ReadAllTextAsync(report.Html, Ct);

        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldContain("</html>");
        html.ShouldContain("<figure id=\"latency-over-time\">");
        html.ShouldContain("<figure id=\"throughput-over-time\">");
        html.ShouldContain("<figure id=\"latency-histogram\">");
        html.ShouldContain("rejected, by server");
        html.ShouldNotContain("src=\"http");
        html.ShouldNotContain("<script");
        var images = EmbeddedPng().Matches(html);
        images.Count.ShouldBe(3);
        foreach (Match image in images)
        {
            var bytes = Convert.FromBase64String(image.Groups[1].Value);
            bytes.Take(8).ShouldBe(PngSignature);
            bytes.Length.ShouldBeGreaterThan(5_000); // a drawn plot, not an empty image
        }
    }

    [Fact]
    public async Task The_main_plot_is_a_valid_png()
    {
        var result = await SmallRunAsync();

        var report = await ReportWriter.WriteAsync(result, _root, Ct);
        var png = await File.ReadAllBytesAsync(report.MainPlotPng, Ct);

        png.Take(8).ShouldBe(PngSignature);
        // IHDR: width and height, big-endian, at bytes 16..23.
        var width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        var height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        (width, height).ShouldBe((960, 420));
    }

    [Fact]
    public async Task A_run_with_no_data_still_writes_a_readable_report()
    {
        var result = TestResults.WithLatencies([]);

        var report = await ReportWriter.WriteAsync(result, _root, Ct);

        (await File.ReadAllBytesAsync(report.MainPlotPng, Ct)).Take(8).ShouldBe(PngSignature);
        (await File.ReadAllTextAsync(report.Markdown, Ct)).ShouldContain("No stage measurements were reported.");
        (await File.ReadAllLinesAsync(report.TimeSeriesCsv, Ct)).Length.ShouldBe(1);
        EmbeddedPng().Matches(await File.ReadAllTextAsync(report.Html, Ct)).Count.ShouldBe(3);
    }

    private static string[] ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    [GeneratedRegex("<img alt=\"[^\"]*\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\">")]
    private static partial Regex EmbeddedPng();
}
