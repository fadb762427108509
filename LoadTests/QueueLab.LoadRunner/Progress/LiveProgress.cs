using Spectre.Console;
using Spectre.Console.Rendering;

namespace QueueLab.LoadRunner;

/// <summary>A live Spectre.Console table for interactive terminals; then the final line.</summary>
internal sealed class LiveProgress(TextWriter output) : IProgressSink
{
    private readonly Lock _lock = new();
    private LiveDisplayContext? _context;

    public async Task<RunResult> RunAsync(Func<Task<RunResult>> run)
    {
        RunResult? result = null;
        await AnsiConsole.Live(new Markup("[grey]starting load run...[/]"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context =>
            {
                lock (_lock)
                {
                    _context = context;
                }

                result = await run().ConfigureAwait(false);
                lock (_lock)
                {
                    _context = null;
                }
            })
            .ConfigureAwait(false);
        output.WriteLine(ProgressSinks.FinalLine(result!));
        output.Flush();
        return result!;
    }

    public void Report(ProgressSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_context is null)
            {
                return;
            }

            _context.UpdateTarget(Render(snapshot));
            _context.Refresh();
        }
    }

    private static IRenderable Render(ProgressSnapshot s)
    {
        const int width = 30;
        var filled = (int)Math.Round(s.Fraction * width);
        var bar = new string('█', filled) + new string('░', width - filled);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(s.ScenarioName)}[/] {bar} {Formatting.Fixed(s.Fraction * 100, 0)}%")
            .AddColumns("elapsed", "ok", "failed", "dropped", "late", "in flight", "rate", "p50", "p99", "max");
        table.AddRow(
            Formatting.Duration(TimeSpan.FromSeconds(Math.Round(s.Elapsed.TotalSeconds, 1))),
            $"[green]{s.Ok}[/]",
            s.Failed == 0 ? "0" : $"[red]{s.Failed}[/]",
            s.Dropped == 0 ? "0" : $"[red]{s.Dropped}[/]",
            s.Late == 0 ? "0" : $"[yellow]{s.Late}[/]",
            s.InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Formatting.Fixed(s.Interval.OkPerSecond, 1) + "/s",
            Formatting.Ms(s.Interval.LatencyP50),
            Formatting.Ms(s.Interval.LatencyP99),
            Formatting.Ms(s.Interval.LatencyMax));
        return table;
    }
}
