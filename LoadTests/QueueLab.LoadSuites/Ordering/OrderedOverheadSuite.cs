using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Verification;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>
/// ordered-overhead: work 0 ms, N messages (default 20,000) as fast as they go through pipeline B, order verified;
/// then, in the same run on the same Redis, the raw forwarder baseline; the pipeline's end-to-end throughput is
/// reported against it as a ratio.
/// </summary>
public sealed class OrderedOverheadSuite : ISuite
{
    public const string EndToEndThroughput = "e2e_throughput";
    public const string BaselineThroughput = "baseline_throughput";
    public const string Ratio = "ratio_vs_baseline";
    public const string RedisMainThreadMetric = "redis_main_thread_us_per_message";
    public const string RedisCapRatioMetric = "redis_cap_ratio";

    public string Name => "ordered-overhead";

    public static OrderingSettings Settings(SuiteOptions options) => OrderingSettings.From(options, defaultInFlight: 64, defaultWorkMs: 0);

    public LabProfile Profile(SuiteOptions options) => Settings(options).Profile();

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        var settings = Settings(options);
        var messages = options.Messages ?? 20_000;
        await using var client = await OrderingProbe.ConnectAsync(lab[ResourceNames.Cache], clientName: "queuelab-loadtests", partitions: settings.Partitions, mode: settings.Mode).ConfigureAwait(false);
        await client.WaitReadyAsync(lab.ReadyTarget(ResourceNames.Processor, settings.Processors), TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await OrderedRun.WarmUpAsync(client, options.Warmup ?? 1000, options, cancellationToken).ConfigureAwait(false);

        var mainThreadBefore = await RedisProfile.TryMainThreadSecondsAsync(client.Redis).ConfigureAwait(false);
        var cpu = CpuProfile.Start(lab, ResourceNames.Processor, ResourceNames.Sequencer, ResourceNames.Cache);
        var run = await OrderedRun.RunAsync(client, Name, Simulation.Burst(messages), options,
            drainTimeout: TimeSpan.FromSeconds(60 + (messages / 200)), alongside: null, cancellationToken, lab).ConfigureAwait(false);
        var cpuUsage = cpu.Stop();
        var mainThreadAfter = await RedisProfile.TryMainThreadSecondsAsync(client.Redis).ConfigureAwait(false);
        var redisMicros = mainThreadBefore is not null && mainThreadAfter is not null
            ? RedisProfile.MainThreadMicrosPerMessage(mainThreadBefore, mainThreadAfter, run.Pushed) : 0;
        var measured = run.FirstPushToLastOutput;
        var throughput = measured > TimeSpan.Zero ? run.Pushed / measured.TotalSeconds : 0;

        ForwarderResult? baseline = null;
        CpuBudget? budget = null;
        if (!options.NoBaseline)
        {
            var window = new CpuWindow(lab, ResourceNames.Cache);
            baseline = await RawForwarder.RunAsync(lab[ResourceNames.Cache], Math.Max(messages, RawForwarder.MinimumMessages), cancellationToken,
                measure: window.Begin).ConfigureAwait(false);
            budget = window.Usage is { } usage
                ? CpuBudget.Of(cpuUsage, run.Pushed, usage, baseline.Messages, ResourceNames.Processor, ResourceNames.Sequencer)
                : null;
        }

        var ratio = baseline is { Throughput: > 0 } b ? throughput / b.Throughput : 0;
        var result = run.Result
            .WithMetric(EndToEndThroughput, Math.Round(throughput, 1))
            .WithMetric("measured_s", Math.Round(measured.TotalSeconds, 3));
        if (baseline is not null)
        {
            result = result
                .WithMetric(BaselineThroughput, Math.Round(baseline.Throughput, 1))
                .WithMetric(Ratio, Math.Round(ratio, 4))
                .WithMetric("baseline_in_order", baseline.Verification.Passed ? 1 : 0);
        }

        if (budget is not null)
        {
            result = budget.AddTo(result);
        }

        // Redis runs every command on its main thread: at the pipeline's present Redis work, its CPU per message caps the throughput.
        var redisCap = redisMicros > 0 ? 1e6 / redisMicros : 0;
        if (redisCap > 0)
        {
            result = result.WithMetric(RedisMainThreadMetric, Math.Round(redisMicros, 2));
            if (baseline is { Throughput: > 0 })
            {
                result = result.WithMetric(RedisCapRatioMetric, Math.Round(redisCap / baseline.Throughput, 4));
            }
        }

        var thresholds = Invariants.Thresholds(ordered: true).ToList();
        if (baseline is not null)
        {
            thresholds.Add(Threshold.Metric("baseline_in_order", v => v == 1, "raw baseline output in order"));
        }

        if (options.MinThroughput is { } minThroughput)
        {
            thresholds.Add(Threshold.Metric(EndToEndThroughput, v => v >= minThroughput, $"end-to-end throughput >= {Fmt.N(minThroughput)}/s"));
        }

        if (options.MinRatio is { } minRatio && baseline is not null && options.MinThroughput is null)
        {
            thresholds.Add(Threshold.Metric(Ratio, v => v >= minRatio, $"ratio vs raw baseline >= {Fmt.N(minRatio)}"));
        }

        var (killed, killFigures) = run.WithKill(result, options.Kill);
        result = killed.EvaluateThresholds(thresholds);
        var figures = new List<(string, string)>
        {
            ("settings", $"{messages} messages at once, {settings.Describe()}"),
            ("measured (first push -> last output)", Fmt.Seconds(measured)),
            ("end-to-end throughput, order verified", Fmt.Rate(throughput)),
            ("raw forwarder baseline (same Redis)", baseline is null ? "skipped" : $"{Fmt.Rate(baseline.Throughput)} ({baseline.Messages:#,0} messages in {Fmt.Seconds(baseline.Elapsed)}, in order: {baseline.Verification.Passed})"),
            ("ratio pipeline / baseline", baseline is null ? "-" : Fmt.N(ratio, "0.000")),
            ("pipeline span (first created -> last sequenced)", run.PipelineSpan is { } s ? Fmt.Seconds(s) : "-"),
            ("latency (intended push -> output)", Fmt.Percentiles(result.Latency)),
        };
        figures.AddRange(killFigures);
        figures.AddRange(Fmt.Stages(result));
        figures.Add(("CPU during the run", CpuProfile.Describe(cpuUsage)));
        if (budget is not null)
        {
            figures.Add(("CPU per message against the raw baseline", budget.Describe(ratio)));
        }

        if (redisCap > 0)
        {
            figures.Add(("Redis main thread (INFO cpu, the busiest primary)", $"{Fmt.N(redisMicros, "0.0")} µs per message: it alone caps the pipeline at {Fmt.Rate(redisCap)}" +
                (baseline is { Throughput: > 0 } raw ? $", a ratio of {Fmt.N(redisCap / raw.Throughput, "0.000")} to the raw forwarder" : "")));
        }
        if (run.Redis is { } redis)
        {
            figures.Add(("Redis during the run (INFO commandstats)", redis.Describe(run.Pushed, measured)));
        }
        var notes = new List<string>
        {
            $"baseline: one process, LPOP count {RawForwarder.BatchSize} + RPUSH batch pipelined on its own connection, producer RPUSH per message; at least {RawForwarder.MinimumMessages:#,0} messages, so it runs long enough to be steady",
        };
        if (throughput < 10_000)
        {
            notes.Add($"below the 10,000 msg/s target by {Fmt.N(10_000 - throughput, "0")} msg/s ({Fmt.N(throughput / 100, "0.0")}% of it); the stage percentiles show where messages wait");
        }

        if (!lab.KnowsShape)
        {
            notes.Add("running lab: the overhead figure is only meaningful if its processors run with WorkTime 0");
        }

        return new SuiteOutcome(result, figures, notes, run.Redis is { } profile
            ? new Dictionary<string, string> { ["redis-commandstats.csv"] = profile.Csv() }
            : new Dictionary<string, string>());
    }
}
