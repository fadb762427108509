using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Verification;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>
/// ordered-soak: an open-model constant rate (default 70% of the capacity P x C / W) for a duration (default 60 s);
/// per-stage percentiles, the input backlog sampled every 250 ms, which must stay bounded, and Redis's memory sampled
/// every second: once the run is past the pipeline's retention window (the sequencer's <c>KeepPassedSeqs</c> and
/// <c>OutputMaxLength</c>, which <c>--set</c> lowers for a run with a lab of its own) it must stay flat
/// (<c>--max-memory-growth</c>).
/// </summary>
public sealed class OrderedSoakSuite : ISuite
{
    public const string BacklogMax = "backlog_max";
    public const string BacklogMean = "backlog_mean";
    public const string BacklogLast = "backlog_last";
    public const string MemoryFirst = "redis_memory_first_bytes";
    public const string MemoryMax = "redis_memory_max_bytes";
    public const string MemoryLast = "redis_memory_last_bytes";

    /// <summary>Mean used_memory over the run's last tenth minus its mean around the middle (45-55%): flat once past the
    /// retention window means this is near zero however long the run.</summary>
    public const string MemoryGrowth = "redis_memory_second_half_growth_bytes";

    private const double MiB = 1024 * 1024;

    public string Name => "ordered-soak";

    private static string Mb(double bytes) => $"{Fmt.N(bytes / MiB, "0.0")} MB";

    public LabProfile Profile(SuiteOptions options) => OrderingSettings.From(options).Profile();

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        var settings = OrderingSettings.From(options);
        var capacity = settings.CapacityPerSecond;
        var rate = options.Rate ?? (double.IsFinite(capacity) ? Math.Round(0.7 * capacity, 2) : 1000);
        var duration = options.Duration ?? TimeSpan.FromSeconds(60);
        var bound = options.MaxBacklog ?? (long)Math.Max(2 * settings.Slots, Math.Ceiling(rate * 2));
        await using var client = await OrderingProbe.ConnectAsync(lab[ResourceNames.Cache], clientName: "queuelab-loadtests", partitions: settings.Partitions, mode: settings.Mode).ConfigureAwait(false);
        await client.WaitReadyAsync(lab.ReadyTarget(ResourceNames.Processor, settings.Processors), TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await OrderedRun.WarmUpAsync(client, options.Warmup ?? 2 * settings.Slots, options, cancellationToken).ConfigureAwait(false);

        var backlog = new Sampler(client.InputLengthAsync, TimeSpan.FromMilliseconds(250));
        var memory = new Sampler(() => RedisProfile.UsedMemoryAsync(client.Redis), TimeSpan.FromSeconds(1), "used_memory_bytes");
        var run = await OrderedRun.RunAsync(client, Name, Simulation.Inject(rate, TimeSpan.FromSeconds(1), duration), options,
            drainTimeout: settings.Work * 10 + TimeSpan.FromSeconds(60), ct => Task.WhenAll(backlog.RunAsync(ct), memory.RunAsync(ct)), cancellationToken, lab).ConfigureAwait(false);
        var growth = Math.Round(memory.MeanBetween(0.9, 1.0) - memory.MeanBetween(0.45, 0.55));

        var result = run.Result
            .WithMetric(BacklogMax, backlog.Max)
            .WithMetric(BacklogMean, Math.Round(backlog.Mean, 2))
            .WithMetric(BacklogLast, backlog.Last)
            .WithMetric(MemoryFirst, memory.First)
            .WithMetric(MemoryMax, memory.Max)
            .WithMetric(MemoryLast, memory.Last)
            .WithMetric(MemoryGrowth, growth)
            .WithMetric("offered_rate", rate)
            .WithMetric("utilisation", double.IsFinite(capacity) ? Math.Round(rate / capacity, 3) : 0);
        var thresholds = Invariants.Thresholds(ordered: true).ToList();
        thresholds.Add(Threshold.Metric(BacklogMax, v => v <= bound, $"backlog <= {bound} (bounded)"));
        if (options.MaxMemoryGrowthMb is { } maxGrowth)
        {
            thresholds.Add(Threshold.Metric(MemoryGrowth, v => v <= maxGrowth * MiB, $"Redis memory grows <= {Fmt.N(maxGrowth)} MB over the second half (flat)"));
        }

        if (options.MaxP99 is { } p99)
        {
            thresholds.Add(Threshold.Latency(99, p99));
        }

        var (killed, killFigures) = run.WithKill(result, options.Kill);
        result = killed.EvaluateThresholds(thresholds);
        var figures = new List<(string, string)>
        {
            ("settings", $"{Fmt.N(rate)} msg/s for {Fmt.Seconds(duration)}, {settings.Describe()}"),
            ("capacity P x C / W", double.IsFinite(capacity) ? Fmt.Rate(capacity) : "unbounded (W = 0)"),
            ("utilisation", double.IsFinite(capacity) ? Fmt.N(rate / capacity, "0.00") : "-"),
            ("messages", $"{run.Pushed} pushed, {result.Ok} out"),
            ("throughput (ok / run time)", Fmt.Rate(result.ThroughputPerSecond)),
            ("latency (intended push -> output)", Fmt.Percentiles(result.Latency)),
            ("backlog (input list length)", $"max {backlog.Max}, mean {Fmt.N(backlog.Mean, "0.0")}, last {backlog.Last}, trend {Fmt.N(backlog.Trend, "0.0")} (bound {bound})"),
            ("Redis memory (used_memory)", $"first {Mb(memory.First)}, max {Mb(memory.Max)}, last {Mb(memory.Last)}; " +
                $"mean around mid-run {Mb(memory.MeanBetween(0.45, 0.55))}, over the last tenth {Mb(memory.MeanBetween(0.9, 1.0))} (second-half growth {Mb(growth)})"),
            ("late sends (runner)", result.Late.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        figures.AddRange(killFigures);
        figures.AddRange(Fmt.Stages(result));
        var notes = new List<string> { "backlog.csv holds the sampled input length over time, memory.csv Redis's used_memory" };
        return new SuiteOutcome(result, figures, notes, new Dictionary<string, string> { ["backlog.csv"] = backlog.Csv(), ["memory.csv"] = memory.Csv() });
    }
}
