namespace QueueLab.LoadRunner;

/// <summary>Open model: <paramref name="Rate"/> invocations per <paramref name="Interval"/>, evenly spaced, during <paramref name="During"/>.</summary>
/// <param name="Rate">Invocations per interval (may be fractional; 1 per 5 s and 0.5 per 1 s both work).</param>
/// <param name="Interval">The interval the rate is expressed in.</param>
/// <param name="During">How long the step lasts.</param>
public sealed record InjectSimulation(double Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation
{
    /// <summary>The rate in invocations per second.</summary>
    public double RatePerSecond => Rate / Interval.TotalSeconds;

    /// <inheritdoc />
    public override TimeSpan Duration => During;

    /// <inheritdoc />
    public override bool IsOpenModel => true;

    /// <inheritdoc />
    public override string Describe() => $"inject {Formatting.Number(Rate)} per {Format(Interval)} during {Format(During)}";
}
