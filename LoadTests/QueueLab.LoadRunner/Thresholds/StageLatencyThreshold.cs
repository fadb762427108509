namespace QueueLab.LoadRunner;

/// <summary>A named stage's latency at <paramref name="Percentile"/> is below <paramref name="LessThan"/>.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Percentile">0, 50, 75, 95, 99 or 100.</param>
/// <param name="LessThan">The bound (exclusive).</param>
public sealed record StageLatencyThreshold(string Stage, double Percentile, TimeSpan LessThan) : Threshold
{
    /// <inheritdoc />
    public override string Description => $"{Stage} p{Formatting.Number(Percentile)} < {Formatting.Duration(LessThan)}";

    /// <inheritdoc />
    public override ThresholdResult Evaluate(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var stage = result.Stages.FirstOrDefault(s => s.Name == Stage);
        if (stage is null || stage.Latency.Count == 0)
        {
            return new ThresholdResult(Description, false, "not reported");
        }

        var actual = stage.Latency.At(Percentile);
        return new ThresholdResult(Description, actual < LessThan, Formatting.Duration(actual));
    }

    internal override bool CanEvaluateDuringRun(RunResult snapshot) => snapshot.Stages.Any(s => s.Name == Stage && s.Latency.Count > 0);
}
