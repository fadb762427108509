using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Verification;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>
/// ordered-burst: N messages (default 500) pushed at once into pipeline B's input; the total time from the first push
/// to the last output against the ideal ceil(N / (P x C)) x W, efficiency = ideal / measured; per-stage latencies from
/// the output messages' timestamps.
/// </summary>
public sealed class OrderedBurstSuite : ISuite
{
    public const string Efficiency = "efficiency";
    public const string MeasuredSeconds = "measured_s";
    public const string IdealSeconds = "ideal_s";
    public const string EndToEndThroughput = "e2e_throughput";

    public string Name => "ordered-burst";

    public LabProfile Profile(SuiteOptions options) => OrderingSettings.From(options).Profile();

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        var settings = OrderingSettings.From(options);
        var messages = options.Messages ?? 500;
        var ideal = settings.IdealBurst(messages);
        await using var client = await OrderingProbe.ConnectAsync(lab[ResourceNames.Cache], clientName: "queuelab-loadtests", partitions: settings.Partitions, mode: settings.Mode).ConfigureAwait(false);
        await client.WaitReadyAsync(lab.ReadyTarget(ResourceNames.Processor, settings.Processors), TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await OrderedRun.WarmUpAsync(client, options.Warmup ?? 2 * settings.Slots, options, cancellationToken).ConfigureAwait(false);

        var cpu = CpuProfile.Start(lab, ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.Cache);
        var run = await OrderedRun.RunAsync(client, Name, Simulation.Burst(messages), options,
            drainTimeout: ideal * 4 + TimeSpan.FromSeconds(60), alongside: null, cancellationToken, lab).ConfigureAwait(false);
        var cpuUsage = cpu.Stop();

        var measured = run.FirstPushToLastOutput;
        var efficiency = measured > TimeSpan.Zero ? ideal / measured : 0;
        var throughput = measured > TimeSpan.Zero ? run.Pushed / measured.TotalSeconds : 0;
        var result = run.Result
            .WithMetric(Efficiency, Math.Round(efficiency, 4))
            .WithMetric(MeasuredSeconds, Math.Round(measured.TotalSeconds, 3))
            .WithMetric(IdealSeconds, ideal.TotalSeconds)
            .WithMetric(EndToEndThroughput, Math.Round(throughput, 1));

        var thresholds = Invariants.Thresholds(ordered: true).ToList();
        if (options.MinEfficiency is { } minEfficiency)
        {
            thresholds.Add(Threshold.Metric(Efficiency, v => v >= minEfficiency, $"efficiency >= {Fmt.N(minEfficiency)}"));
        }

        if (options.MinThroughput is { } minThroughput && options.MinEfficiency is null)
        {
            thresholds.Add(Threshold.Metric(EndToEndThroughput, v => v >= minThroughput, $"end-to-end throughput >= {Fmt.N(minThroughput)}/s"));
        }

        if (options.MaxP99 is { } p99)
        {
            thresholds.Add(Threshold.Latency(99, p99));
        }

        var (killed, killFigures) = run.WithKill(result, options.Kill);
        result = killed.EvaluateThresholds(thresholds);
        var figures = new List<(string, string)>
        {
            ("settings", $"{messages} messages, {settings.Describe()}"),
            ("ideal ceil(N/(PxC)) x W", Fmt.Seconds(ideal)),
            ("measured (first push -> last output)", Fmt.Seconds(measured)),
            ("efficiency (ideal / measured)", Fmt.N(efficiency, "0.000")),
            ("end-to-end throughput", Fmt.Rate(throughput)),
            ("pipeline span (first created -> last sequenced)", run.PipelineSpan is { } s ? Fmt.Seconds(s) : "-"),
            ("latency (intended push -> output)", Fmt.Percentiles(result.Latency)),
        };
        figures.AddRange(killFigures);
        figures.AddRange(Fmt.Stages(result));
        figures.Add(("CPU during the run", CpuProfile.Describe(cpuUsage)));
        if (run.Redis is { } redis)
        {
            figures.Add(("Redis during the run (INFO commandstats)", redis.Describe(run.Pushed, measured)));
        }
        figures.AddRange(WhereTimeGoes(result, settings, messages, measured));
        var notes = new List<string>
        {
            lab.StartedBySuite ? "lab started for the run with the suite's settings" : lab.Setup is not null ? "running lab (its own P, C and W)" : "running lab given by its connection strings; P, C and W as passed on the command line",
        };
        if (efficiency < 0.95 && measured > TimeSpan.Zero)
        {
            notes.Add($"below the 0.95 target by {Fmt.N((0.95 - efficiency) * 100, "0.0")} points: {Fmt.Seconds(measured - ideal)} over the ideal; see the stage percentiles (sequencing and queue wait beyond W show where it went)");
        }

        return new SuiteOutcome(result, figures, notes, run.Redis is { } profile
            ? new Dictionary<string, string> { ["redis-commandstats.csv"] = profile.Csv() }
            : new Dictionary<string, string>());
    }

    /// <summary>
    /// The measured time split per round (ceil(N / (P x C)) rounds of W on every slot): the work's own overrun of W
    /// (timer slack, a busy CPU) and the rest (taking the next message, completing, the last sequencing), plus how much of
    /// the slots' time was spent working.
    /// </summary>
    private static IEnumerable<(string, string)> WhereTimeGoes(RunResult result, OrderingSettings settings, int messages, TimeSpan measured)
    {
        var processing = result.Stages.FirstOrDefault(s => s.Name == OutputWatcher.Processing)?.Latency;
        if (processing is null || processing.Count == 0 || measured <= TimeSpan.Zero)
        {
            yield break;
        }

        var rounds = Math.Ceiling(messages / (double)settings.Slots);
        var perRound = measured / rounds;
        var overrun = processing.Mean - settings.Work;
        var rest = perRound - settings.Work - overrun;
        var busy = processing.Mean.TotalSeconds * processing.Count / (settings.Slots * measured.TotalSeconds);
        yield return ("per round (measured / rounds)", $"{Fmt.Ms(perRound)} = W {Fmt.Ms(settings.Work)} + work overrun {Fmt.Ms(overrun)} + take/complete/sequence {Fmt.Ms(rest)}");
        yield return ("slot utilisation (work time / P x C x measured)", Fmt.N(busy, "0.000"));
    }
}
