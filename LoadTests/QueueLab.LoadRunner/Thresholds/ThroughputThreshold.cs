namespace QueueLab.LoadRunner;

/// <summary>Ok invocations per second are at least <paramref name="AtLeastPerSecond"/>.</summary>
/// <param name="AtLeastPerSecond">The bound (inclusive).</param>
/// <param name="Text">The readable condition.</param>
public sealed record ThroughputThreshold(double AtLeastPerSecond, string Text) : Threshold
{
    /// <inheritdoc />
    public override string Description => Text;

    /// <inheritdoc />
    public override ThresholdResult Evaluate(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ThresholdResult(Description, result.ThroughputPerSecond >= AtLeastPerSecond, Formatting.Number(Math.Round(result.ThroughputPerSecond, 2)) + "/s");
    }

    // Throughput is only meaningful over the whole run.
    internal override bool CanEvaluateDuringRun(RunResult snapshot) => false;
}
