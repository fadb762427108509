using HdrHistogram;

namespace QueueLab.LoadRunner;

/// <summary>A latency distribution summarised from an HdrHistogram (microsecond resolution, 3 significant digits).</summary>
/// <param name="Count">How many values were recorded.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Mean">The mean.</param>
/// <param name="P50">The median.</param>
/// <param name="P75">The 75th percentile.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
/// <param name="Max">The largest value.</param>
/// <param name="StdDev">The standard deviation.</param>
public sealed record LatencyStats(
    long Count,
    TimeSpan Min,
    TimeSpan Mean,
    TimeSpan P50,
    TimeSpan P75,
    TimeSpan P95,
    TimeSpan P99,
    TimeSpan Max,
    TimeSpan StdDev)
{
    /// <summary>An empty distribution (no values).</summary>
    public static LatencyStats Empty { get; } = new(0, default, default, default, default, default, default, default, default);

    /// <summary>The value at <paramref name="percentile"/> (0–100) for the named standard percentiles; other values throw.</summary>
    public TimeSpan At(double percentile) => percentile switch
    {
        50 => P50,
        75 => P75,
        95 => P95,
        99 => P99,
        100 => Max,
        0 => Min,
        _ => throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "Use 0, 50, 75, 95, 99 or 100, or keep the histogram for others."),
    };

    /// <summary>Summarises a histogram whose values are microseconds.</summary>
    public static LatencyStats From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        var min = histogram.RecordedValues().Select(v => v.ValueIteratedTo).FirstOrDefault();
        return new LatencyStats(
            histogram.TotalCount,
            Histograms.FromMicroseconds(histogram.LowestEquivalentValue(min)),
            Histograms.FromMicroseconds(histogram.GetMean()),
            Histograms.FromMicroseconds(histogram.GetValueAtPercentile(50)),
            Histograms.FromMicroseconds(histogram.GetValueAtPercentile(75)),
            Histograms.FromMicroseconds(histogram.GetValueAtPercentile(95)),
            Histograms.FromMicroseconds(histogram.GetValueAtPercentile(99)),
            Histograms.FromMicroseconds(histogram.GetMaxValue()),
            Histograms.FromMicroseconds(histogram.GetStdDeviation()));
    }
}
