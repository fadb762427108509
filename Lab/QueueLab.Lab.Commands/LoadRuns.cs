using Microsoft.Extensions.Logging;
using QueueLab.Lab.Hosting;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
using QueueLab.LoadSuites.Telemetry;

namespace QueueLab.Lab.Commands;

/// <summary>
/// Runs the load suites (the library the command line runs) inside the AppHost against this lab, one run per pipeline
/// at a time: a second start while one runs is refused with a message, not started twice. A run's output goes to the
/// pipeline resource's console log; its metrics and a span per run go to this lab's dashboard (service
/// <see cref="LoadTestsTelemetry.ServiceName"/>) when it has one; every run still going ends with the AppHost.
/// </summary>
public sealed class LoadRuns(LoadRunSettings settings, ILogger<LoadRuns> appHostLogger) : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, LoadRun> _active = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Lazy<LoadTestsTelemetry> _telemetry = new(() => LoadTestsTelemetry.Start(settings.Telemetry, _ => null));

    public LoadRunSettings Settings => settings;

    /// <summary>The run of <paramref name="pipeline"/> going on now, if any.</summary>
    public LoadRun? Active(string pipeline)
    {
        lock (_gate)
        {
            return _active.TryGetValue(pipeline, out var run) ? run : null;
        }
    }

    /// <summary>Starts <paramref name="options"/>' suite for <paramref name="pipeline"/>, or throws <see cref="LoadRunRefusedException"/>
    /// when a run of that pipeline is going on. <paramref name="secrets"/> are masked in everything logged.</summary>
    public LoadRun Start(string pipeline, SuiteOptions options, LabConnections lab, IReadOnlyList<string> secrets, ILogger resourceLogger,
        Action<LoadRun>? onExit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var writer = new ResourceLogWriter(resourceLogger, secrets);
        options = options with
        {
            Output = writer,
            Progress = LoadRunner.ProgressMode.Plain,
            ReportDirectory = options.ReportDirectory ?? settings.ReportDirectory,
            Warmup = options.Warmup ?? settings.Warmup,
        };

        LoadRun run;
        lock (_gate)
        {
            if (_active.TryGetValue(pipeline, out var running))
            {
                throw new LoadRunRefusedException(
                    $"Refused: {running.Suite} is already running on this pipeline (started {(DateTimeOffset.UtcNow - running.StartedAt).TotalSeconds:0} s ago); " +
                    (running.IsSoak ? "stop the soak first." : "wait for it to finish."));
            }

            run = new LoadRun(pipeline, options);
            _active[pipeline] = run;
        }

        _ = _telemetry.Value;
        resourceLogger.LogInformation("{Suite} started: {Options}", options.Suite, Describe(options));
        run.Started(RunAsync(run, lab, writer, resourceLogger, onExit));
        return run;
    }

    private async Task<LoadRunOutcome> RunAsync(LoadRun run, LabConnections lab, ResourceLogWriter writer, ILogger resourceLogger, Action<LoadRun>? onExit)
    {
        await Task.Yield();
        LoadRunOutcome outcome;
        using (var span = LoadTestsTelemetry.Source.StartActivity($"loadtests {run.Suite}"))
        {
            span?.SetTag("queuelab.suite", run.Suite);
            try
            {
                var (result, report) = await SuiteHost.RunAsync(run.Options, lab, run.StopToken).ConfigureAwait(false);
                outcome = new LoadRunOutcome(run.Suite, result.Result.ExitCode, run.Elapsed, report?.Html, writer.Summary());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                writer.WriteLine($"error: the run could not complete: {ex.GetType().Name}: {ex.Message}");
                outcome = new LoadRunOutcome(run.Suite, 3, run.Elapsed, null, writer.Summary());
            }

            span?.SetTag("queuelab.exit_code", outcome.ExitCode);
        }

        // Out of the registry before anyone waiting for the run hears that it ended, so a run started right after (the
        // next command) is not refused as if this one still went on.
        lock (_gate)
        {
            if (_active.TryGetValue(run.Pipeline, out var current) && current == run)
            {
                _active.Remove(run.Pipeline);
            }
        }

        // The one line per run a person looks for: how it went and where its report is.
        resourceLogger.LogInformation("{Headline}", outcome.Headline);
        appHostLogger.LogInformation("{Pipeline}: {Headline}", run.Pipeline, outcome.Headline);
        onExit?.Invoke(run);
        return outcome;
    }

    private static string Describe(SuiteOptions o) =>
        string.Join(", ", new[]
        {
            o.Messages is { } m ? $"{m} messages" : null,
            o.Duration is { } d ? $"for {d}" : null,
            o.Rate is { } r ? $"{r} msg/s" : null,
            o.Processors is { } p ? $"{p} processors x {o.InFlight} in flight, {o.WorkMs} ms work" : null,
            o.Phase is { } phase ? $"phase {phase}, {o.Consumers} consumers" : null,
        }.OfType<string>());

    /// <summary>Ends every run still going (the AppHost is stopping): each drains and writes its report, or is abandoned after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        List<LoadRun> runs;
        lock (_gate)
        {
            runs = [.. _active.Values];
        }

        foreach (var run in runs)
        {
            try
            {
                await run.StopAsync(StopGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                appHostLogger.LogWarning("{Suite} on {Pipeline} did not end within {Seconds} s of the stop", run.Suite, run.Pipeline, StopGrace.TotalSeconds);
            }
        }

        if (_telemetry.IsValueCreated)
        {
            _telemetry.Value.Dispose();
        }
    }
}
