namespace QueueLab.LoadRunner;

/// <summary>How a run is carried out, checked and shown.</summary>
public sealed record RunOptions
{
    /// <summary>The clock (a fake one makes schedule tests deterministic). Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How late an open-model invocation may start before it counts as late (or is dropped under <see cref="LatePolicy.Drop"/>). Default 250 ms.</summary>
    public TimeSpan LatenessTolerance { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>What to do with invocations the runner could not start within <see cref="LatenessTolerance"/>. Default: start them and count them late.</summary>
    public LatePolicy LatePolicy { get; init; } = LatePolicy.SendAnyway;

    /// <summary>The most open-model invocations in flight at once; an arrival beyond it is dropped (counted, with reason), never queued. Default 10,000.</summary>
    public int MaxConcurrency { get; init; } = 10_000;

    /// <summary>When set, an invocation running longer is cancelled and counted as failed with reason "timeout".</summary>
    public TimeSpan? InvocationTimeout { get; init; }

    /// <summary>How long to wait, after the schedule ends, for in-flight invocations before cancelling them. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The time-series interval: one point (counts, p50, p99) per interval; progress and during-run thresholds follow it. Default 1 s.</summary>
    public TimeSpan ReportingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The thresholds checked at the end (and, for those marked <see cref="Threshold.AbortOnBreach"/>, during the run).</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>How progress is shown. Default: live when the terminal is interactive, plain lines otherwise.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Where plain progress lines and the final line go. Default: <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>A stage recorder to use (so code outside the scenario can record stage timings); default: a new one per run.</summary>
    public StageRecorder? Stages { get; init; }

    /// <summary>An end-to-end check run after the last invocation settles; its result is attached to the run and folded into pass/fail.</summary>
    public Func<CancellationToken, ValueTask<IInvariantReport>>? Verify { get; init; }

    /// <summary>Start each invocation on the thread pool, so a scenario that blocks before its first await cannot delay the schedule. Default true.</summary>
    public bool DispatchOnThreadPool { get; init; } = true;

    /// <summary>A run id for reports and metrics; default: the start time and the scenario name.</summary>
    public string? RunId { get; init; }

    /// <summary>Test hook: called each time the dispatcher has armed its timer and is about to wait for the next arrival.</summary>
    internal Action<TimeSpan>? OnDispatcherWaiting { get; init; }
}
