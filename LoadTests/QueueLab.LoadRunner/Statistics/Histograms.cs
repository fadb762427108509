using HdrHistogram;

namespace QueueLab.LoadRunner;

/// <summary>HdrHistogram settings shared by the runner: values in microseconds, 1 µs to 1 hour, 3 significant digits.</summary>
internal static class Histograms
{
    public const long Lowest = 1;
    public const long Highest = 3_600_000_000;
    public const int Digits = 3;

    public static LongConcurrentHistogram CreateConcurrent() => new(Lowest, Highest, Digits);

    public static Recorder CreateRecorder() =>
        HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(Lowest)
            .WithValuesUpTo(Highest)
            .WithPrecisionOf(Digits)
            .WithThreadSafeWrites()
            .WithThreadSafeReads()
            .Create();

    /// <summary>Converts to whole microseconds, clamped to the trackable range (so nothing is ever dropped from a histogram).</summary>
    public static long ToMicroseconds(TimeSpan value) =>
        Math.Clamp((long)Math.Round(value.Ticks / (double)TimeSpan.TicksPerMicrosecond), Lowest, Highest);

    public static TimeSpan FromMicroseconds(double value) => TimeSpan.FromTicks((long)Math.Round(value * TimeSpan.TicksPerMicrosecond));
}
