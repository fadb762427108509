namespace QueueLab.LoadRunner;

/// <summary>Open model: <paramref name="Count"/> invocations all due at the same instant (the step takes no schedule time).</summary>
/// <param name="Count">How many invocations.</param>
public sealed record BurstSimulation(int Count) : LoadSimulation
{
    /// <inheritdoc />
    public override TimeSpan Duration => TimeSpan.Zero;

    /// <inheritdoc />
    public override bool IsOpenModel => true;

    /// <inheritdoc />
    public override string Describe() => $"burst {Count}";
}
