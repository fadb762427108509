using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace QueueLab.AppHost.Commands;

/// <summary>A load run the dashboard could not start, with the reason to show (a run of that pipeline is already going).</summary>
public sealed class LoadRunRefusedException(string message) : Exception(message);

/// <summary>How a load run ended.</summary>
/// <param name="Suite">The suite (ordered-burst, rabbit-soak, ...).</param>
/// <param name="ExitCode">The command line's exit code: 0 passed, 1 a threshold or the invariant check failed, 2 bad usage, 3 no result.</param>
/// <param name="Took">From the start of the process to its exit.</param>
/// <param name="ReportPath">The run's HTML report, when it wrote one.</param>
/// <param name="Summary">The summary the command line printed at the end (or its last lines when it printed none).</param>
public sealed record LoadRunOutcome(string Suite, int ExitCode, TimeSpan Took, string? ReportPath, string Summary)
{
    public bool Passed => ExitCode == 0;

    public string Headline =>
        $"{Suite} {(Passed ? "passed" : ExitCode switch { 1 => "FAILED", 2 => "was refused (bad usage)", _ => "could not complete" })} in {Took.TotalSeconds:0.0} s" +
        (ReportPath is null ? "" : $"; report: {ReportPath}");
}

/// <summary>One running load suite: the command line as a child process of the AppHost.</summary>
public sealed class LoadRun
{
    private readonly Process _process;
    private readonly TaskCompletionSource<LoadRunOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _stopping;

    internal LoadRun(string pipeline, string suite, Process process)
    {
        Pipeline = pipeline;
        Suite = suite;
        _process = process;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string Pipeline { get; }

    public string Suite { get; }

    public DateTimeOffset StartedAt { get; }

    public int ProcessId => _process.Id;

    public bool IsSoak => Suite.EndsWith("-soak", StringComparison.Ordinal);

    /// <summary>Completes when the process has exited and its output is read.</summary>
    public Task<LoadRunOutcome> Completion => _completion.Task;

    public string? ReportPath { get; private set; }

    internal void OnLine(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            if (_lines.Count > 400)
            {
                _lines.RemoveRange(0, 100);
            }
        }

        const string ReportPrefix = "report: ";
        var trimmed = line.Trim();
        if (trimmed.StartsWith(ReportPrefix, StringComparison.Ordinal))
        {
            ReportPath = trimmed[ReportPrefix.Length..].Trim();
        }
    }

    internal void OnExited()
    {
        string summary;
        lock (_lines)
        {
            // The suite's summary starts with "== <suite>: PASSED ==" (or FAILED); without one, the last lines say why.
            var start = _lines.FindLastIndex(l => l.StartsWith("== ", StringComparison.Ordinal));
            summary = string.Join('\n', start >= 0 ? _lines.Skip(start) : _lines.TakeLast(15));
        }

        _completion.TrySetResult(new LoadRunOutcome(Suite, _process.ExitCode, _clock.Elapsed, ReportPath, summary));
    }

    /// <summary>
    /// Stops the run the way Ctrl+C does (SIGINT: the suite stops injecting, drains, verifies and writes its report) and
    /// waits for it; kills the process if it has not ended after <paramref name="grace"/>.
    /// </summary>
    public async Task<LoadRunOutcome> StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0 && !_process.HasExited)
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", ["-INT", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
            });
            if (signal is not null)
            {
                await signal.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        try
        {
            return await Completion.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            return await Completion.ConfigureAwait(false);
        }
    }

    internal void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

/// <summary>
/// Runs the load suites' command line (<c>LoadTests/QueueLab.LoadTests</c>, built beside the AppHost) against this lab as
/// a child process, one run per pipeline at a time: a second start while one runs is refused with a message, not
/// started twice. Its output goes to the pipeline resource's console log; the process ends with the AppHost.
/// </summary>
public sealed class LoadRuns(LoadSuiteCommandLine commandLine, ILogger<LoadRuns> appHostLogger) : IAsyncDisposable
{
    private readonly Dictionary<string, LoadRun> _active = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public LoadSuiteCommandLine CommandLine { get; } = commandLine;

    /// <summary>The run of <paramref name="pipeline"/> going on now, if any.</summary>
    public LoadRun? Active(string pipeline)
    {
        lock (_gate)
        {
            return _active.TryGetValue(pipeline, out var run) ? run : null;
        }
    }

    /// <summary>Starts <paramref name="suite"/> for <paramref name="pipeline"/>, or throws <see cref="LoadRunRefusedException"/>
    /// when a run of that pipeline is going on. <paramref name="secrets"/> are masked in everything logged.</summary>
    public LoadRun Start(string pipeline, string suite, IReadOnlyList<string> arguments, IReadOnlyList<string> secrets, ILogger resourceLogger,
        Action<LoadRun>? onExit = null)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(pipeline, out var running))
            {
                throw new LoadRunRefusedException(
                    $"Refused: {running.Suite} is already running on this pipeline (started {(DateTimeOffset.UtcNow - running.StartedAt).TotalSeconds:0} s ago, pid {running.ProcessId}); " +
                    (running.IsSoak ? "stop the soak first." : "wait for it to finish."));
            }

            var start = CommandLine.StartInfo(suite, arguments);
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var shown = Redact(string.Join(' ', start.ArgumentList.Skip(1)), secrets);
            LoadRun? run = null;
            var pending = 3; // stdout and stderr read to their end, and the process exited
            void Finished()
            {
                if (Interlocked.Decrement(ref pending) == 0)
                {
                    // Out of the registry before anyone waiting for the run hears that it ended, so a run started
                    // right after (the next command) is not refused as if this one still went on.
                    lock (_gate)
                    {
                        if (_active.TryGetValue(pipeline, out var current) && current == run)
                        {
                            _active.Remove(pipeline);
                        }
                    }

                    run!.OnExited();
                }
            }

            void Forward(string? line, LogLevel level)
            {
                if (line is null)
                {
                    Finished();
                    return;
                }

                var safe = Redact(line, secrets);
                run!.OnLine(safe);
                resourceLogger.Log(level, "{Line}", safe);
            }

            process.OutputDataReceived += (_, e) => Forward(e.Data, LogLevel.Information);
            process.ErrorDataReceived += (_, e) => Forward(e.Data, LogLevel.Warning);
            process.Exited += (_, _) => Finished();
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start the load suites' command line ({start.FileName}).");
            }

            run = new LoadRun(pipeline, suite, process);
            _active[pipeline] = run;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            resourceLogger.LogInformation("{Suite} started (pid {Pid}): {CommandLine}", suite, process.Id, shown);
            _ = run.Completion.ContinueWith(t =>
            {
                process.Dispose();
                var outcome = t.Result;
                // The one line per run a person looks for: how it went and where its report is.
                resourceLogger.LogInformation("{Headline}", outcome.Headline);
                appHostLogger.LogInformation("{Pipeline}: {Headline}", pipeline, outcome.Headline);
                onExit?.Invoke(run);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return run;
        }
    }

    internal static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 4))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Ends every run still going (the AppHost is stopping): no process is left behind.</summary>
    public async ValueTask DisposeAsync()
    {
        List<LoadRun> runs;
        lock (_gate)
        {
            runs = [.. _active.Values];
        }

        foreach (var run in runs)
        {
            run.Kill();
        }

        foreach (var run in runs)
        {
            await run.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }
}
