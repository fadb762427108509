namespace QueueLab.LoadRunner;

/// <summary>No invocations for <paramref name="During"/> (a gap between two steps).</summary>
/// <param name="During">How long the pause lasts.</param>
public sealed record PauseSimulation(TimeSpan During) : LoadSimulation
{
    /// <inheritdoc />
    public override TimeSpan Duration => During;

    /// <inheritdoc />
    public override bool IsOpenModel => true;

    /// <inheritdoc />
    public override string Describe() => $"pause {Format(During)}";
}
