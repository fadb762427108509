using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Verification;
using QueueLab.Rabbit;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>
/// rabbit-burst: N messages (default 5,000) published at once into pipeline A (confirms, bounded window); throughput and
/// latency from publish to stored final state, against the raw RabbitMQ publish-and-consume baseline measured right
/// after on the same broker, as a ratio.
/// </summary>
public sealed class RabbitBurstSuite : ISuite
{
    public const string EndToEndThroughput = "e2e_throughput";
    public const string BaselineThroughput = "baseline_throughput";
    public const string Ratio = "ratio_vs_baseline";

    public string Name => "rabbit-burst";

    public LabProfile Profile(SuiteOptions options) => RabbitSettings.From(options).Profile();

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        var settings = RabbitSettings.From(options);
        var messages = options.Messages ?? 5000;
        await using var client = await RabbitProbe.ConnectAsync(lab[ResourceNames.Messaging], lab[ResourceNames.Database], "queuelab-loadtests").ConfigureAwait(false);
        var (perQueue, total) = settings.ReadyConsumers(lab, LabTopology.DefaultQueues.Count);
        await client.WaitReadyAsync(perQueue, total, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await RabbitRun.WarmUpAsync(client, settings, options.Warmup ?? 300, options, cancellationToken).ConfigureAwait(false);

        var cpu = CpuProfile.Start(lab, ResourceNames.Consumer, ResourceNames.Messaging, ResourceNames.Postgres, ResourceNames.Cache);
        var run = await RabbitRun.RunAsync(client, settings, Name, Simulation.Burst(messages), options,
            TimeSpan.FromSeconds(120 + (messages / 50)), alongside: null, cancellationToken).ConfigureAwait(false);
        var cpuUsage = cpu.Stop();
        var measured = run.FirstPublishToLastFinalState;
        var throughput = measured > TimeSpan.Zero ? run.Confirmed / measured.TotalSeconds : 0;

        RabbitBaselineResult? baseline = null;
        CpuBudget? budget = null;
        if (!options.NoBaseline)
        {
            var window = new CpuWindow(lab, ResourceNames.Messaging);
            baseline = await RawRabbitBaseline.RunAsync(client.Broker, Math.Max(messages, RawRabbitBaseline.MinimumMessages), settings.ConfirmWindow, cancellationToken,
                measure: window.Begin).ConfigureAwait(false);
            budget = window.Usage is { } usage ? CpuBudget.Of(cpuUsage, run.Confirmed, usage, baseline.Consumed, ResourceNames.Consumer) : null;
        }

        var ratio = baseline is { Throughput: > 0 } b ? throughput / b.Throughput : 0;
        var result = run.Result
            .WithMetric(EndToEndThroughput, Math.Round(throughput, 1))
            .WithMetric("measured_s", Math.Round(measured.TotalSeconds, 3));
        if (baseline is not null)
        {
            result = result.WithMetric(BaselineThroughput, Math.Round(baseline.Throughput, 1)).WithMetric(Ratio, Math.Round(ratio, 4));
        }

        if (budget is not null)
        {
            result = budget.AddTo(result);
        }

        var thresholds = Invariants.Thresholds(ordered: false, allowDuplicates: !settings.Deduplicates).ToList();
        thresholds.Add(Threshold.Metric("final_states_missing", v => v == 0, "every (message, queue) has its final state"));
        if (options.MinRatio is { } minRatio && baseline is not null)
        {
            thresholds.Add(Threshold.Metric(Ratio, v => v >= minRatio, $"ratio vs raw RabbitMQ >= {Fmt.N(minRatio)}"));
        }

        if (options.MinThroughput is { } minThroughput && options.MinRatio is null)
        {
            thresholds.Add(Threshold.Metric(EndToEndThroughput, v => v >= minThroughput, $"end-to-end throughput >= {Fmt.N(minThroughput)}/s"));
        }

        if (options.MaxP99 is { } p99)
        {
            thresholds.Add(Threshold.Latency(99, p99));
        }

        result = result.EvaluateThresholds(thresholds);
        var figures = new List<(string, string)>
        {
            ("settings", $"{messages} messages at once, {settings.Describe()}"),
            ("measured (first publish -> last final state)", Fmt.Seconds(measured)),
            ("end-to-end throughput", Fmt.Rate(throughput)),
            ("raw RabbitMQ publish+consume (same broker)", baseline is null ? "skipped" :
                $"{Fmt.Rate(baseline.Throughput)} ({baseline.Messages:#,0} messages; publish only {Fmt.Rate(baseline.PublishThroughput)}; latency p50 {Fmt.Ms(baseline.P50)}, p99 {Fmt.Ms(baseline.P99)})"),
            ("ratio pipeline / raw", baseline is null ? "-" : Fmt.N(ratio, "0.000")),
            ("latency (intended publish -> final state)", Fmt.Percentiles(result.Latency)),
        };
        figures.AddRange(Fmt.Stages(result));
        figures.Add(("CPU during the run", CpuProfile.Describe(cpuUsage)));
        if (budget is not null)
        {
            figures.Add(("CPU per message against the raw baseline", budget.Describe(ratio)));
        }
        var notes = new List<string>
        {
            "the suite publishes straight to the exchanges with the pipeline's headers and body (the same confirm window as the baseline), so the ratio isolates consume + dedup + store",
            "a message is done when the processing log shows it processed on every queue it reached (direct -> queue-1, topic -> queue-2, fanout -> queue-3)",
        };
        if (baseline is not null && ratio < 0.5)
        {
            notes.Add($"below the 0.5 target by {Fmt.N(0.5 - ratio, "0.000")}: the line 'CPU per message against the raw baseline' says which part holds it back");
        }

        return new SuiteOutcome(result, figures, notes, new Dictionary<string, string>());
    }
}
