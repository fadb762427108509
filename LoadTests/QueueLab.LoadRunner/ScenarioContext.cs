namespace QueueLab.LoadRunner;

/// <summary>What one scenario invocation knows about itself: its number, where it sits on the schedule, and a way to record stage timings.</summary>
public sealed class ScenarioContext
{
    internal ScenarioContext(
        string scenarioName,
        long invocationNumber,
        int phaseIndex,
        int? copyNumber,
        DateTimeOffset runStartedAt,
        TimeSpan intendedOffset,
        TimeSpan actualOffset,
        StageRecorder stages)
    {
        ScenarioName = scenarioName;
        InvocationNumber = invocationNumber;
        PhaseIndex = phaseIndex;
        CopyNumber = copyNumber;
        RunStartedAt = runStartedAt;
        IntendedOffset = intendedOffset;
        ActualOffset = actualOffset;
        Stages = stages;
    }

    /// <summary>The scenario's name.</summary>
    public string ScenarioName { get; }

    /// <summary>The 0-based number of this invocation within the run (unique, in schedule order for open-model phases).</summary>
    public long InvocationNumber { get; }

    /// <summary>The 0-based index of the load simulation (phase) that produced this invocation.</summary>
    public int PhaseIndex { get; }

    /// <summary>For closed-model phases (<see cref="Simulation.KeepConstant"/>), the copy (virtual user) running it; otherwise <c>null</c>.</summary>
    public int? CopyNumber { get; }

    /// <summary>When the run started (wall clock of the run's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset RunStartedAt { get; }

    /// <summary>
    /// When this invocation was due, relative to the run's start: its place on the schedule (open model), or the step's
    /// start or the previous invocation's completion (closed model). Latency is measured from here.
    /// </summary>
    public TimeSpan IntendedOffset { get; }

    /// <summary>When the runner actually started it, relative to the run's start.</summary>
    public TimeSpan ActualOffset { get; }

    /// <summary>When this invocation was due on the schedule (wall clock).</summary>
    public DateTimeOffset IntendedStartTime => RunStartedAt + IntendedOffset;

    /// <summary>How late the runner started it compared with when it was due.</summary>
    public TimeSpan Lateness => ActualOffset > IntendedOffset ? ActualOffset - IntendedOffset : TimeSpan.Zero;

    /// <summary>The run's stage recorder: named extra measurements (queue wait, processing, ...), each in its own histogram.</summary>
    public StageRecorder Stages { get; }

    /// <summary>Records a named extra measurement (for example <c>"processing"</c>) into its own histogram.</summary>
    public void Record(string stage, TimeSpan value) => Stages.Record(stage, value);
}
