namespace QueueLab.LoadRunner;

/// <summary>
/// A named async operation and the load simulations that drive it, in sequence.
/// </summary>
/// <param name="Name">The scenario's name (used in reports, metrics tags and the report folder).</param>
/// <param name="Step">The operation; it returns <see cref="StepResult.Ok"/> or a failure with a reason. Exceptions count as failures named by their type.</param>
/// <param name="Simulations">The load simulations, run one after the other on the schedule.</param>
public sealed record Scenario(
    string Name,
    Func<ScenarioContext, CancellationToken, ValueTask<StepResult>> Step,
    IReadOnlyList<LoadSimulation> Simulations)
{
    /// <summary>Creates a scenario with no simulations yet; add them with <see cref="WithLoadSimulations"/>.</summary>
    public static Scenario Create(string name, Func<ScenarioContext, CancellationToken, ValueTask<StepResult>> step) =>
        new(name, step, []);

    /// <summary>Returns a copy whose simulations are <paramref name="simulations"/>, run in sequence.</summary>
    public Scenario WithLoadSimulations(params LoadSimulation[] simulations) => this with { Simulations = simulations };
}
