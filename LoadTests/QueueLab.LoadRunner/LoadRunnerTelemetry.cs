using System.Diagnostics.Metrics;

namespace QueueLab.LoadRunner;

/// <summary>
/// The runner's OpenTelemetry-friendly metrics (System.Diagnostics.Metrics). Add <see cref="MeterName"/> to the
/// OpenTelemetry meter list (e.g. <c>.AddMeter(LoadRunnerTelemetry.MeterName)</c>) and the Aspire dashboard shows a run.
/// </summary>
public static class LoadRunnerTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "QueueLab.LoadRunner";

    /// <summary>Counter of settled or dropped invocations, tagged <c>scenario</c> and <c>outcome</c> (ok, failed, dropped).</summary>
    public const string InvocationsInstrument = "queuelab.loadrunner.invocations";

    /// <summary>Counter of invocations started later than the lateness tolerance, tagged <c>scenario</c>.</summary>
    public const string LateInstrument = "queuelab.loadrunner.late";

    /// <summary>Histogram of invocation latency in milliseconds (from the intended start), tagged <c>scenario</c> and <c>outcome</c>.</summary>
    public const string LatencyInstrument = "queuelab.loadrunner.latency";

    /// <summary>Up-down counter of invocations in flight, tagged <c>scenario</c>.</summary>
    public const string InFlightInstrument = "queuelab.loadrunner.in_flight";

    /// <summary>Histogram of named stage measurements in milliseconds, tagged <c>stage</c>.</summary>
    public const string StageInstrument = "queuelab.loadrunner.stage.duration";

    private static readonly double[] BucketsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

    /// <summary>The runner's meter.</summary>
    public static Meter Meter { get; } = new(MeterName);

    internal static Counter<long> Invocations { get; } = Meter.CreateCounter<long>(
        InvocationsInstrument, "{invocation}", "Load-runner invocations by outcome (ok, failed, dropped).");

    internal static Counter<long> LateStarts { get; } = Meter.CreateCounter<long>(
        LateInstrument, "{invocation}", "Invocations the load runner started later than its lateness tolerance.");

    internal static Histogram<double> Latency { get; } = Meter.CreateHistogram(
        LatencyInstrument, "ms", "Invocation latency measured from the intended start on the schedule.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketsMs });

    internal static UpDownCounter<long> InFlight { get; } = Meter.CreateUpDownCounter<long>(
        InFlightInstrument, "{invocation}", "Load-runner invocations in flight.");

    internal static Histogram<double> Stage { get; } = Meter.CreateHistogram(
        StageInstrument, "ms", "Named stage measurements reported by a scenario (queue wait, processing, ...).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketsMs });
}
