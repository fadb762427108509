namespace QueueLab.LoadRunner;

/// <summary>The latency of ok invocations at <paramref name="Percentile"/> is below <paramref name="LessThan"/>.</summary>
/// <param name="Percentile">The percentile, 0–100.</param>
/// <param name="LessThan">The bound (exclusive).</param>
public sealed record LatencyThreshold(double Percentile, TimeSpan LessThan) : Threshold
{
    /// <inheritdoc />
    public override string Description => $"p{Formatting.Number(Percentile)} < {Formatting.Duration(LessThan)}";

    /// <inheritdoc />
    public override ThresholdResult Evaluate(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Latency.Count == 0)
        {
            return new ThresholdResult(Description, false, "no ok invocations");
        }

        var actual = result.LatencyAtPercentile(Percentile);
        return new ThresholdResult(Description, actual < LessThan, Formatting.Duration(actual));
    }

    internal override bool CanEvaluateDuringRun(RunResult snapshot) => snapshot.Latency.Count > 0;
}
