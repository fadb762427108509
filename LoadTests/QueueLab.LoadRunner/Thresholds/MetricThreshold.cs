namespace QueueLab.LoadRunner;

/// <summary>A named metric satisfies a predicate; a metric that is not reported fails.</summary>
/// <param name="Name">The metric's name in <see cref="RunResult.Metrics"/>.</param>
/// <param name="Predicate">The condition on its value.</param>
/// <param name="Text">The readable condition, e.g. "lost == 0".</param>
public sealed record MetricThreshold(string Name, Func<double, bool> Predicate, string Text) : Threshold
{
    /// <inheritdoc />
    public override string Description => Text;

    /// <inheritdoc />
    public override ThresholdResult Evaluate(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Metrics.TryGetValue(Name, out var value)
            ? new ThresholdResult(Description, Predicate(value), Formatting.Number(value))
            : new ThresholdResult(Description, false, "not reported");
    }

    internal override bool CanEvaluateDuringRun(RunResult snapshot) => snapshot.Metrics.ContainsKey(Name);
}
