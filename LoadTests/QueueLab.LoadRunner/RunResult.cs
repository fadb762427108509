using HdrHistogram;

namespace QueueLab.LoadRunner;

/// <summary>Everything a run measured, its thresholds' outcomes and any attached verification.</summary>
public sealed record RunResult
{
    /// <summary>The scenario's name.</summary>
    public required string ScenarioName { get; init; }

    /// <summary>The run's id (used for the report folder and metric tags).</summary>
    public required string RunId { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>From the start to the last invocation settling (or the end of the schedule, if later).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The schedule's length.</summary>
    public required TimeSpan ScheduledDuration { get; init; }

    /// <summary>The schedule's steps.</summary>
    public required IReadOnlyList<SchedulePhase> Phases { get; init; }

    /// <summary>Invocations that completed ok.</summary>
    public required long Ok { get; init; }

    /// <summary>Invocations that failed (including timeouts, cancellations and those unfinished at the drain timeout).</summary>
    public required long Failed { get; init; }

    /// <summary>Invocations the runner could not start (see <see cref="DropReasons"/>).</summary>
    public required long Dropped { get; init; }

    /// <summary>Invocations started later than the lateness tolerance (they are also counted as ok or failed, or as dropped under <see cref="LatePolicy.Drop"/>).</summary>
    public required long Late { get; init; }

    /// <summary>Failed invocations by reason.</summary>
    public required IReadOnlyDictionary<string, long> FailureReasons { get; init; }

    /// <summary>Dropped invocations by reason.</summary>
    public required IReadOnlyDictionary<string, long> DropReasons { get; init; }

    /// <summary>Latency of ok invocations, measured from each invocation's intended start on the schedule.</summary>
    public required LatencyStats Latency { get; init; }

    /// <summary>Latency of failed invocations (same measure).</summary>
    public required LatencyStats FailedLatency { get; init; }

    /// <summary>How late the runner started invocations compared with when they were due (the runner's own lag).</summary>
    public required LatencyStats StartLateness { get; init; }

    /// <summary>Named stage measurements, in first-recorded order.</summary>
    public required IReadOnlyList<StageStats> Stages { get; init; }

    /// <summary>One point per reporting interval.</summary>
    public required IReadOnlyList<TimeSeriesPoint> TimeSeries { get; init; }

    /// <summary>The ok-latency distribution as histogram bars (for plots).</summary>
    public required IReadOnlyList<HistogramBucket> LatencyDistribution { get; init; }

    /// <summary>The most invocations in flight at once.</summary>
    public required long MaxConcurrency { get; init; }

    /// <summary>The ok-latency HdrHistogram (microseconds), for percentiles beyond the summary.</summary>
    public HistogramBase? LatencyHistogram { get; init; }

    /// <summary>The thresholds' outcomes (empty until evaluated).</summary>
    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];

    /// <summary>The attached end-to-end verification, if any.</summary>
    public IInvariantReport? Verification { get; init; }

    /// <summary>Extra named metrics a suite adds (e.g. "efficiency"); thresholds can check them.</summary>
    public IReadOnlyDictionary<string, double> ExtraMetrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Why the run stopped early (cancelled, or a threshold breached during the run), or <c>null</c>.</summary>
    public string? AbortReason { get; init; }

    /// <summary>Whether the run stopped early.</summary>
    public bool Aborted => AbortReason is not null;

    /// <summary>Ok + failed + dropped.</summary>
    public long Requested => Ok + Failed + Dropped;

    /// <summary>Ok invocations per second over <see cref="Duration"/>.</summary>
    public double ThroughputPerSecond => Duration > TimeSpan.Zero ? Ok / Duration.TotalSeconds : 0;

    /// <summary>True when the run was not aborted, every threshold held and any attached verification passed.</summary>
    public bool Passed => !Aborted && Thresholds.All(t => t.Passed) && (Verification?.Passed ?? true);

    /// <summary>The process exit code a command-line host should use: 0 when <see cref="Passed"/>, 1 otherwise.</summary>
    public int ExitCode => Passed ? 0 : 1;

    /// <summary>Built-in metrics (see <see cref="RunMetrics"/>), verification counts and <see cref="ExtraMetrics"/>, by name.</summary>
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            var settled = Ok + Failed;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [RunMetrics.Ok] = Ok,
                [RunMetrics.Failed] = Failed,
                [RunMetrics.Dropped] = Dropped,
                [RunMetrics.Late] = Late,
                [RunMetrics.Requested] = Requested,
                [RunMetrics.Throughput] = ThroughputPerSecond,
                [RunMetrics.DurationSeconds] = Duration.TotalSeconds,
                [RunMetrics.FailedRatio] = settled == 0 ? 0 : Failed / (double)settled,
            };
            if (Latency.Count > 0)
            {
                metrics["latency_mean_ms"] = Latency.Mean.TotalMilliseconds;
                metrics["latency_p50_ms"] = Latency.P50.TotalMilliseconds;
                metrics["latency_p75_ms"] = Latency.P75.TotalMilliseconds;
                metrics["latency_p95_ms"] = Latency.P95.TotalMilliseconds;
                metrics["latency_p99_ms"] = Latency.P99.TotalMilliseconds;
                metrics["latency_max_ms"] = Latency.Max.TotalMilliseconds;
            }

            if (Verification is not null)
            {
                metrics[RunMetrics.VerificationPassed] = Verification.Passed ? 1 : 0;
                foreach (var (name, count) in Verification.Counts)
                {
                    metrics[name] = count;
                }
            }

            foreach (var (name, value) in ExtraMetrics)
            {
                metrics[name] = value;
            }

            return metrics;
        }
    }

    /// <summary>The ok-latency at any percentile (0–100), from the histogram when present.</summary>
    public TimeSpan LatencyAtPercentile(double percentile)
    {
        if (LatencyHistogram is { TotalCount: > 0 } histogram)
        {
            return percentile >= 100
                ? Histograms.FromMicroseconds(histogram.GetMaxValue())
                : Histograms.FromMicroseconds(histogram.GetValueAtPercentile(percentile));
        }

        return Latency.At(percentile);
    }

    /// <summary>Returns a copy with <paramref name="verification"/> attached (re-evaluate thresholds afterwards with <see cref="EvaluateThresholds"/> if they read its counts).</summary>
    public RunResult WithVerification(IInvariantReport verification) => this with { Verification = verification };

    /// <summary>Returns a copy with an extra named metric.</summary>
    public RunResult WithMetric(string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var metrics = new Dictionary<string, double>(ExtraMetrics, StringComparer.Ordinal) { [name] = value };
        return this with { ExtraMetrics = metrics };
    }

    /// <summary>Returns a copy whose <see cref="Thresholds"/> are the outcomes of <paramref name="thresholds"/> on this result.</summary>
    public RunResult EvaluateThresholds(IEnumerable<Threshold> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return this with { Thresholds = [.. thresholds.Select(t => t.Evaluate(this))] };
    }
}
