namespace QueueLab.LoadRunner;

/// <summary>Where a run's progress goes.</summary>
internal interface IProgressSink
{
    /// <summary>Runs the whole run inside the display (a live display must wrap it), then shows the final line.</summary>
    Task<RunResult> RunAsync(Func<Task<RunResult>> run);

    /// <summary>Called once per reporting interval.</summary>
    void Report(ProgressSnapshot snapshot);
}
