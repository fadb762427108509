namespace QueueLab.LoadRunner;

/// <summary>Open model: exactly <paramref name="Iterations"/> invocations at <paramref name="Rate"/> per <paramref name="Interval"/>, evenly spaced.</summary>
/// <param name="Rate">Invocations per interval (may be fractional).</param>
/// <param name="Interval">The interval the rate is expressed in.</param>
/// <param name="Iterations">How many invocations in total.</param>
public sealed record IterationsForInjectSimulation(double Rate, TimeSpan Interval, long Iterations) : LoadSimulation
{
    /// <summary>The rate in invocations per second.</summary>
    public double RatePerSecond => Rate / Interval.TotalSeconds;

    /// <summary>The spacing between two invocations.</summary>
    public TimeSpan Spacing => TimeSpan.FromSeconds(1 / RatePerSecond);

    /// <inheritdoc />
    public override TimeSpan Duration => Iterations <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Iterations / RatePerSecond);

    /// <inheritdoc />
    public override bool IsOpenModel => true;

    /// <inheritdoc />
    public override string Describe() => $"{Iterations} iterations at {Formatting.Number(Rate)} per {Format(Interval)}";
}
