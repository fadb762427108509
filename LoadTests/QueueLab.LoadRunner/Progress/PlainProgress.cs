namespace QueueLab.LoadRunner;

/// <summary>Plain lines, at most about one a second, for CI logs; then the final line.</summary>
internal sealed class PlainProgress(TextWriter output, TimeProvider time) : IProgressSink
{
    private static readonly TimeSpan MinGap = TimeSpan.FromMilliseconds(950);
    private readonly Lock _lock = new();
    private long _lastLine = long.MinValue;

    public async Task<RunResult> RunAsync(Func<Task<RunResult>> run)
    {
        var result = await run().ConfigureAwait(false);
        lock (_lock)
        {
            output.WriteLine(ProgressSinks.FinalLine(result));
            output.Flush();
        }

        return result;
    }

    public void Report(ProgressSnapshot snapshot)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_lastLine != long.MinValue && time.GetElapsedTime(_lastLine, now) < MinGap)
            {
                return;
            }

            _lastLine = now;
            output.WriteLine(ProgressSinks.PlainLine(snapshot));
            output.Flush();
        }
    }
}
