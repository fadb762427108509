namespace QueueLab.LoadRunner;

/// <summary>Shows nothing.</summary>
internal sealed class SilentProgress : IProgressSink
{
    public Task<RunResult> RunAsync(Func<Task<RunResult>> run) => run();

    public void Report(ProgressSnapshot snapshot)
    {
    }
}
