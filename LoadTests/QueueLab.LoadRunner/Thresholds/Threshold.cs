namespace QueueLab.LoadRunner;

/// <summary>
/// A pass/fail condition on a run, with a readable description ("p99 &lt; 2s", "failed == 0"). All are checked at the end;
/// those marked with <see cref="AbortOnBreach"/> are also checked during the run, and a breach stops it. A failed threshold
/// makes the run fail.
/// </summary>
public abstract record Threshold
{
    /// <summary>A readable form of the condition, e.g. "p99 &lt; 2s".</summary>
    public abstract string Description { get; }

    /// <summary>Whether the runner also checks it at every reporting interval and aborts the run on a breach.</summary>
    public bool CheckDuringRun { get; init; }

    /// <summary>Returns a copy that is checked during the run too; a breach aborts the run.</summary>
    public Threshold AbortOnBreach() => this with { CheckDuringRun = true };

    /// <summary>Checks the condition against <paramref name="result"/>.</summary>
    public abstract ThresholdResult Evaluate(RunResult result);

    /// <summary>Whether a mid-run snapshot holds enough to judge this threshold (no data yet is not a breach).</summary>
    internal virtual bool CanEvaluateDuringRun(RunResult snapshot) => true;

    /// <summary>The latency of ok invocations at <paramref name="p"/> (0–100) is below <paramref name="lessThan"/>: "p99 &lt; 2s".</summary>
    public static Threshold Latency(double p, TimeSpan lessThan)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        return new LatencyThreshold(p, lessThan);
    }

    /// <summary>A named stage's latency at <paramref name="p"/> (0, 50, 75, 95, 99 or 100) is below <paramref name="lessThan"/>.</summary>
    public static Threshold StageLatency(string stage, double p, TimeSpan lessThan)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        _ = LatencyStats.Empty.At(p);
        return new StageLatencyThreshold(stage, p, lessThan);
    }

    /// <summary>A named metric of <see cref="RunResult.Metrics"/> (see <see cref="RunMetrics"/>, or a verification count such as "lost") satisfies <paramref name="predicate"/>.</summary>
    public static Threshold Metric(string name, Func<double, bool> predicate, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        return new MetricThreshold(name, predicate, description);
    }

    /// <summary>Ok invocations per second are at least <paramref name="atLeastPerSecond"/>.</summary>
    public static Threshold Throughput(double atLeastPerSecond) =>
        new ThroughputThreshold(atLeastPerSecond, $"throughput >= {Formatting.Number(atLeastPerSecond)}/s");

    /// <summary>Ok invocations per second are at least <paramref name="fraction"/> of <paramref name="idealPerSecond"/>: "throughput >= 0.9 x ideal".</summary>
    public static Threshold ThroughputOfIdeal(double fraction, double idealPerSecond) =>
        new ThroughputThreshold(
            fraction * idealPerSecond,
            $"throughput >= {Formatting.Number(fraction)} x ideal ({Formatting.Number(fraction * idealPerSecond)}/s of {Formatting.Number(idealPerSecond)}/s)");

    /// <summary>No invocation failed: "failed == 0".</summary>
    public static Threshold NoFailures() => Metric(RunMetrics.Failed, v => v == 0, "failed == 0");

    /// <summary>The runner dropped no invocation: "dropped == 0".</summary>
    public static Threshold NoDropped() => Metric(RunMetrics.Dropped, v => v == 0, "dropped == 0");

    /// <summary>The attached verification passed (fails when none is attached).</summary>
    public static Threshold VerificationPassed() => Metric(RunMetrics.VerificationPassed, v => v == 1, "verification passed");
}
