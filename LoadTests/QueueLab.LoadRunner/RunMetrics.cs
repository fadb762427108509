namespace QueueLab.LoadRunner;

/// <summary>Names of the built-in metrics of <see cref="RunResult.Metrics"/>, for <see cref="Threshold.Metric"/>.</summary>
public static class RunMetrics
{
    /// <summary>Invocations that completed ok.</summary>
    public const string Ok = "ok";

    /// <summary>Invocations that failed (returned a failure, threw, timed out or were cancelled).</summary>
    public const string Failed = "failed";

    /// <summary>Invocations the runner could not start (max concurrency reached, or too late under <see cref="LatePolicy.Drop"/>).</summary>
    public const string Dropped = "dropped";

    /// <summary>Invocations started later than the lateness tolerance.</summary>
    public const string Late = "late";

    /// <summary>Invocations the schedule asked for (ok + failed + dropped, plus any left unsettled).</summary>
    public const string Requested = "requested";

    /// <summary>Ok invocations per second over the run's duration.</summary>
    public const string Throughput = "throughput";

    /// <summary>The run's duration in seconds (start to the last completion).</summary>
    public const string DurationSeconds = "duration_s";

    /// <summary>The share of failed among settled invocations (0–1).</summary>
    public const string FailedRatio = "failed_ratio";

    /// <summary>Latency percentiles of ok invocations, in milliseconds: latency_p50_ms, latency_p75_ms, latency_p95_ms, latency_p99_ms, latency_max_ms, latency_mean_ms.</summary>
    public const string LatencyPrefix = "latency_";

    /// <summary>1 when the attached verification passed, 0 when it failed (absent when none is attached).</summary>
    public const string VerificationPassed = "verification_passed";
}
