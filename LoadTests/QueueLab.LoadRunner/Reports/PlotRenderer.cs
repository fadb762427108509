using ScottPlot;
using SkiaSharp;

namespace QueueLab.LoadRunner;

/// <summary>The report's plots, drawn with ScottPlot as PNG bytes.</summary>
internal static class PlotRenderer
{
    public const int Width = 960;
    public const int Height = 420;
    private const string FontName = "DejaVu Sans";
    private static readonly Lock FontLock = new();
    private static bool _fontChecked;

    /// <summary>Latency percentiles (left axis, ms) and ok throughput (right axis, per second) over time: the main plot.</summary>
    public static byte[] Main(RunResult result)
    {
        var plot = NewPlot($"{result.ScenarioName}: latency and throughput over time", "time since start (s)", "latency (ms)");
        var points = result.TimeSeries;
        if (points.Count == 0)
        {
            return NoData(plot);
        }

        var xs = points.Select(p => p.End.TotalSeconds).ToArray();
        AddLine(plot, xs, points.Select(p => p.LatencyP50.TotalMilliseconds).ToArray(), "latency p50");
        AddLine(plot, xs, points.Select(p => p.LatencyP99.TotalMilliseconds).ToArray(), "latency p99");
        var throughput = AddLine(plot, xs, points.Select(p => p.OkPerSecond).ToArray(), "ok per second (right axis)");
        throughput.LinePattern = LinePattern.Dashed;
        throughput.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "ok per second";
        plot.ShowLegend(Alignment.UpperLeft);
        FromZero(plot, plot.Axes.Left);
        FromZero(plot, plot.Axes.Right);
        return Render(plot);
    }

    /// <summary>Latency p50, p99 and max per interval.</summary>
    public static byte[] LatencyOverTime(RunResult result)
    {
        var plot = NewPlot("Latency over time (from intended start)", "time since start (s)", "latency (ms)");
        var points = result.TimeSeries;
        if (points.Count == 0)
        {
            return NoData(plot);
        }

        var xs = points.Select(p => p.End.TotalSeconds).ToArray();
        AddLine(plot, xs, points.Select(p => p.LatencyP50.TotalMilliseconds).ToArray(), "p50");
        AddLine(plot, xs, points.Select(p => p.LatencyP99.TotalMilliseconds).ToArray(), "p99");
        AddLine(plot, xs, points.Select(p => p.LatencyMax.TotalMilliseconds).ToArray(), "max");
        plot.ShowLegend(Alignment.UpperLeft);
        FromZero(plot, plot.Axes.Left);
        return Render(plot);
    }

    /// <summary>Ok, failed and dropped per second, per interval.</summary>
    public static byte[] ThroughputOverTime(RunResult result)
    {
        var plot = NewPlot("Throughput over time", "time since start (s)", "per second");
        var points = result.TimeSeries;
        if (points.Count == 0)
        {
            return NoData(plot);
        }

        var xs = points.Select(p => p.End.TotalSeconds).ToArray();
        AddLine(plot, xs, points.Select(p => p.OkPerSecond).ToArray(), "ok/s");
        AddLine(plot, xs, points.Select(p => PerSecond(p, p.Failed)).ToArray(), "failed/s");
        AddLine(plot, xs, points.Select(p => PerSecond(p, p.Dropped)).ToArray(), "dropped/s");
        plot.ShowLegend(Alignment.UpperLeft);
        FromZero(plot, plot.Axes.Left);
        return Render(plot);
    }

    /// <summary>The ok-latency distribution as bars.</summary>
    public static byte[] LatencyHistogram(RunResult result)
    {
        var plot = NewPlot("Latency distribution (ok invocations)", "latency (ms)", "invocations");
        var buckets = result.LatencyDistribution;
        if (buckets.Count == 0)
        {
            return NoData(plot);
        }

        var width = (buckets[0].To - buckets[0].From).TotalMilliseconds;
        var bars = buckets.Select(b => new Bar
        {
            Position = (b.From.TotalMilliseconds + b.To.TotalMilliseconds) / 2,
            Value = b.Count,
            Size = width * 0.9,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        return Render(plot);
    }

    // Latency and rate axes start at zero so a small change does not look like a large one.
    private static void FromZero(Plot plot, ScottPlot.IYAxis axis)
    {
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits(plot.Axes.Bottom, axis);
        var top = double.IsFinite(limits.Top) && limits.Top > 0 ? limits.Top : 1;
        plot.Axes.SetLimitsY(0, top * 1.05, axis);
    }

    private static double PerSecond(TimeSeriesPoint point, long count) =>
        point.End > point.Start ? count / (point.End - point.Start).TotalSeconds : 0;

    private static Plot NewPlot(string title, string x, string y)
    {
        EnsureFont();
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static ScottPlot.Plottables.Scatter AddLine(Plot plot, double[] xs, double[] ys, string label)
    {
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = xs.Length > 60 ? 0 : 4;
        return line;
    }

    private static byte[] NoData(Plot plot)
    {
        plot.Add.Annotation("no data recorded");
        return Render(plot);
    }

    private static byte[] Render(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);

    // ScottPlot's default font must exist on the machine; DejaVu Sans comes from Debian's fonts-dejavu-core.
    private static void EnsureFont()
    {
        lock (FontLock)
        {
            if (_fontChecked)
            {
                return;
            }

            using var typeface = SKFontManager.Default.MatchFamily(FontName);
            if (typeface is not null)
            {
                Fonts.Default = FontName;
            }

            _fontChecked = true;
        }
    }
}
