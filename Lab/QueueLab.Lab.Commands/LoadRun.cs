using System.Diagnostics;
using QueueLab.LoadSuites.Cli;

namespace QueueLab.Lab.Commands;

/// <summary>One load suite running in the AppHost's process against this lab, until it ends or is stopped.</summary>
public sealed class LoadRun
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task<LoadRunOutcome>? _completion;

    internal LoadRun(string pipeline, SuiteOptions options)
    {
        Pipeline = pipeline;
        Options = options;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string Pipeline { get; }

    public SuiteOptions Options { get; }

    public string Suite => Options.Suite;

    public DateTimeOffset StartedAt { get; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public bool IsSoak => Suite.EndsWith("-soak", StringComparison.Ordinal);

    /// <summary>Completes when the run has ended (verified, its report written), whatever its result.</summary>
    public Task<LoadRunOutcome> Completion => _completion ?? throw new InvalidOperationException("The run has not started.");

    internal CancellationToken StopToken => _stop.Token;

    internal void Started(Task<LoadRunOutcome> completion) => _completion = completion;

    /// <summary>
    /// Stops the run the way Ctrl+C stops the command line (the suite stops injecting, drains, verifies and writes its
    /// report) and waits for it, at most <paramref name="grace"/>.
    /// </summary>
    public async Task<LoadRunOutcome> StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        return await Completion.WaitAsync(grace).ConfigureAwait(false);
    }
}
