namespace QueueLab.LoadRunner;

/// <summary>
/// Closed model: <paramref name="Copies"/> copies each run the scenario in a loop, one invocation after the other, during
/// <paramref name="During"/>. Concurrency never exceeds the copies. A copy's first invocation is due at the step's start and
/// each next one when the previous completes; latency runs from then (normally the invocation's own start).
/// </summary>
/// <param name="Copies">How many concurrent copies (virtual users).</param>
/// <param name="During">How long the copies keep starting new invocations.</param>
public sealed record KeepConstantSimulation(int Copies, TimeSpan During) : LoadSimulation
{
    /// <inheritdoc />
    public override TimeSpan Duration => During;

    /// <inheritdoc />
    public override bool IsOpenModel => false;

    /// <inheritdoc />
    public override string Describe() => $"keep {Copies} copies during {Format(During)}";
}
