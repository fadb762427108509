using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Verification;
using QueueLab.Rabbit;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>
/// rabbit-soak: a constant open-model rate (default 100 msg/s) into pipeline A for a duration (default 60 s); latency
/// percentiles per stage, the work queues' backlog sampled; then the raw RabbitMQ baseline's capacity on the same
/// broker for comparison.
/// </summary>
public sealed class RabbitSoakSuite : ISuite
{
    public string Name => "rabbit-soak";

    public LabProfile Profile(SuiteOptions options) => RabbitSettings.From(options).Profile();

    public async Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        var settings = RabbitSettings.From(options);
        var rate = options.Rate ?? 100;
        var duration = options.Duration ?? TimeSpan.FromSeconds(60);
        var bound = options.MaxBacklog ?? (long)Math.Max(100, Math.Ceiling(rate * 2));
        await using var client = await RabbitProbe.ConnectAsync(lab[ResourceNames.Messaging], lab[ResourceNames.Database], "queuelab-loadtests").ConfigureAwait(false);
        var (perQueue, total) = settings.ReadyConsumers(lab, LabTopology.DefaultQueues.Count);
        await client.WaitReadyAsync(perQueue, total, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await RabbitRun.WarmUpAsync(client, settings, options.Warmup ?? 300, options, cancellationToken).ConfigureAwait(false);

        var backlog = new Sampler(client.BacklogAsync, TimeSpan.FromMilliseconds(500));
        var run = await RabbitRun.RunAsync(client, settings, Name, Simulation.Inject(rate, TimeSpan.FromSeconds(1), duration), options,
            TimeSpan.FromSeconds(120), backlog.RunAsync, cancellationToken).ConfigureAwait(false);

        RabbitBaselineResult? baseline = null;
        if (!options.NoBaseline)
        {
            baseline = await RawRabbitBaseline.RunAsync(client.Broker, (int)Math.Clamp(run.Confirmed, 100, 5000), settings.ConfirmWindow, cancellationToken).ConfigureAwait(false);
        }

        var result = run.Result
            .WithMetric("backlog_max", backlog.Max)
            .WithMetric("offered_rate", rate);
        if (baseline is not null)
        {
            result = result.WithMetric("baseline_throughput", Math.Round(baseline.Throughput, 1))
                .WithMetric("offered_vs_raw_capacity", Math.Round(rate / baseline.Throughput, 4));
        }

        var thresholds = Invariants.Thresholds(ordered: false, allowDuplicates: !settings.Deduplicates).ToList();
        thresholds.Add(Threshold.Metric("final_states_missing", v => v == 0, "every (message, queue) has its final state"));
        thresholds.Add(Threshold.Metric("backlog_max", v => v <= bound, $"backlog <= {bound} (bounded)"));
        if (options.MaxP99 is { } p99)
        {
            thresholds.Add(Threshold.Latency(99, p99));
        }

        result = result.EvaluateThresholds(thresholds);
        var figures = new List<(string, string)>
        {
            ("settings", $"{Fmt.N(rate)} msg/s for {Fmt.Seconds(duration)}, {settings.Describe()}"),
            ("messages", $"{run.Confirmed} confirmed, {result.Ok} with final state"),
            ("throughput (ok / run time)", Fmt.Rate(result.ThroughputPerSecond)),
            ("latency (intended publish -> final state)", Fmt.Percentiles(result.Latency)),
            ("backlog (ready in work queues)", $"max {backlog.Max}, mean {Fmt.N(backlog.Mean, "0.0")}, last {backlog.Last} (bound {bound})"),
            ("raw RabbitMQ capacity (same broker)", baseline is null ? "skipped" :
                $"{Fmt.Rate(baseline.Throughput)} ({baseline.Messages} messages; latency p50 {Fmt.Ms(baseline.P50)}, p99 {Fmt.Ms(baseline.P99)})"),
            ("offered rate / raw capacity", baseline is null ? "-" : Fmt.N(rate / baseline.Throughput, "0.000")),
        };
        figures.AddRange(Fmt.Stages(result));
        return new SuiteOutcome(result, figures, ["backlog.csv holds the sampled work-queue backlog over time"],
            new Dictionary<string, string> { ["backlog.csv"] = backlog.Csv() });
    }
}
