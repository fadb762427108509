namespace QueueLab.LoadRunner;

/// <summary>
/// Open model: the arrival rate ramps linearly from the previous step's rate (zero if none, or if that step was not an
/// injection) to <paramref name="Rate"/> per <paramref name="Interval"/> over <paramref name="During"/>.
/// </summary>
/// <param name="Rate">The target rate, in invocations per interval, reached at the end of the step.</param>
/// <param name="Interval">The interval the rate is expressed in.</param>
/// <param name="During">How long the ramp lasts.</param>
public sealed record RampingInjectSimulation(double Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation
{
    /// <summary>The target rate in invocations per second.</summary>
    public double RatePerSecond => Rate / Interval.TotalSeconds;

    /// <inheritdoc />
    public override TimeSpan Duration => During;

    /// <inheritdoc />
    public override bool IsOpenModel => true;

    /// <inheritdoc />
    public override string Describe() => $"ramp to {Formatting.Number(Rate)} per {Format(Interval)} during {Format(During)}";
}
