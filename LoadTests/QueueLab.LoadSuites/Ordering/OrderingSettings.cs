using System.Globalization;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>Pipeline B's shape for a run: P processors x C in flight, W work per message, over its partitions.</summary>
public sealed record OrderingSettings(int Processors, int InFlight, TimeSpan Work)
{
    /// <summary>Pipeline B's partitions (1: unpartitioned).</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>Pipeline B's ordering mode (global, or per key).</summary>
    public QueueLab.Ordering.OrderingMode Mode { get; init; }

    public int Slots => Processors * InFlight;

    /// <summary>Messages per second the processors can work through: P x C / W (infinite for W = 0).</summary>
    public double CapacityPerSecond => Work > TimeSpan.Zero ? Slots / Work.TotalSeconds : double.PositiveInfinity;

    /// <summary>The ideal time for a burst of <paramref name="messages"/>: ceil(N / (P x C)) x W.</summary>
    public TimeSpan IdealBurst(int messages) => Work * Math.Ceiling(messages / (double)Slots);

    public static OrderingSettings From(SuiteOptions options, int defaultInFlight = 8, double defaultWorkMs = 500) => new(
        options.Processors ?? 3,
        options.InFlight ?? defaultInFlight,
        TimeSpan.FromMilliseconds(options.WorkMs ?? defaultWorkMs))
    {
        Partitions = options.Partitions ?? 1,
        Mode = options.Mode ?? QueueLab.Ordering.OrderingMode.Global,
    };

    public LabProfile Profile() => new(
        [
            "QueueLab:Pipelines=ordering",
            $"QueueLab:Ordering:Processors={Processors}",
            $"QueueLab:Ordering:Processor:MaxInFlight={InFlight}",
            $"QueueLab:Ordering:Processor:WorkTime={Work.ToString("c", CultureInfo.InvariantCulture)}",
            $"QueueLab:Ordering:Partitions={Partitions}",
            $"QueueLab:Ordering:Mode={Mode}",
        ],
        [ResourceNames.Cache, ResourceNames.Processor, ResourceNames.Sequencer],
        [ResourceNames.Cache]);

    public string Describe() =>
        $"{Processors} processors x {InFlight} in flight, {Work.TotalMilliseconds:0.###} ms work" + (Partitions > 1 ? $", {Partitions} partitions" : "")
        + (Mode == QueueLab.Ordering.OrderingMode.PerKey ? ", order per key" : "");
}
