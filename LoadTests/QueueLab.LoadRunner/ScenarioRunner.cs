namespace QueueLab.LoadRunner;

/// <summary>Runs a scenario on its load simulations and returns what it measured.</summary>
public static class ScenarioRunner
{
    /// <summary>
    /// Runs <paramref name="scenario"/>: dispatches invocations on the schedule (open model) or in copies (closed model),
    /// waits for in-flight invocations (up to <see cref="RunOptions.DrainTimeout"/>), runs the verification hook, evaluates the
    /// thresholds, and prints a final line. Cancelling <paramref name="cancellationToken"/> stops the run early; the result
    /// is still returned, marked aborted, so a report can be written.
    /// </summary>
    public static Task<RunResult> RunAsync(Scenario scenario, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(scenario.Step);
        ArgumentNullException.ThrowIfNull(scenario.Simulations);
        options ??= new RunOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ReportingInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrency);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LatenessTolerance, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DrainTimeout, TimeSpan.Zero);
        if (scenario.Simulations.Count == 0)
        {
            throw new ArgumentException("The scenario has no load simulations.", nameof(scenario));
        }

        var progress = ProgressSinks.Create(options);
        return progress.RunAsync(() => new RunEngine(scenario, options, progress).RunAsync(cancellationToken));
    }
}
