namespace QueueLab.LoadRunner;

/// <summary>One load simulation placed on the run's timeline.</summary>
/// <param name="Index">The 0-based position of the step in the scenario.</param>
/// <param name="Simulation">The step.</param>
/// <param name="Start">When the step starts, relative to the run's start.</param>
/// <param name="StartRatePerSecond">The arrival rate at the step's start (open model; 0 for a closed model or a burst).</param>
/// <param name="EndRatePerSecond">The arrival rate at the step's end.</param>
/// <param name="ExpectedInvocations">How many invocations the schedule holds (open model), or <c>null</c> for a closed model.</param>
public sealed record SchedulePhase(
    int Index,
    LoadSimulation Simulation,
    TimeSpan Start,
    double StartRatePerSecond,
    double EndRatePerSecond,
    long? ExpectedInvocations)
{
    /// <summary>When the step ends, relative to the run's start.</summary>
    public TimeSpan End => Start + Simulation.Duration;
}
