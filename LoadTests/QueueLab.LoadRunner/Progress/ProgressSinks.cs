using Spectre.Console;

namespace QueueLab.LoadRunner;

/// <summary>Chooses the progress display.</summary>
internal static class ProgressSinks
{
    public static IProgressSink Create(RunOptions options)
    {
        var output = options.Output ?? Console.Out;
        return options.Progress switch
        {
            ProgressMode.None => new SilentProgress(),
            ProgressMode.Plain => new PlainProgress(output, options.TimeProvider),
            ProgressMode.Live => new LiveProgress(output),
            _ => IsInteractive() ? new LiveProgress(output) : new PlainProgress(output, options.TimeProvider),
        };
    }

    private static bool IsInteractive() =>
        AnsiConsole.Profile.Capabilities.Interactive &&
        !Console.IsOutputRedirected &&
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The line printed when a run ends, whatever the display.</summary>
    public static string FinalLine(RunResult result)
    {
        var verdict = result.Passed ? "PASSED" : "FAILED";
        var thresholds = result.Thresholds.Count == 0
            ? string.Empty
            : $" thresholds {result.Thresholds.Count(t => t.Passed)}/{result.Thresholds.Count}";
        var verification = result.Verification is null ? string.Empty : $" verification {(result.Verification.Passed ? "ok" : "FAILED")}";
        var aborted = result.AbortReason is null ? string.Empty : $" aborted: {result.AbortReason}";
        return $"load run {result.ScenarioName}: {verdict}{thresholds}{verification} | ok={result.Ok} failed={result.Failed} " +
               $"dropped={result.Dropped} late={result.Late} throughput={Formatting.Fixed(result.ThroughputPerSecond)}/s " +
               $"p50={Formatting.Ms(result.Latency.P50)} p99={Formatting.Ms(result.Latency.P99)} max={Formatting.Ms(result.Latency.Max)} " +
               $"duration={Formatting.Duration(result.Duration)}{aborted}";
    }

    /// <summary>One plain progress line.</summary>
    public static string PlainLine(ProgressSnapshot s) =>
        $"[{Formatting.Fixed(s.Elapsed.TotalSeconds, 1),7}s] {s.ScenarioName} {Formatting.Fixed(s.Fraction * 100, 0),3}% " +
        $"ok={s.Ok} failed={s.Failed} dropped={s.Dropped} late={s.Late} in-flight={s.InFlight} " +
        $"rate={Formatting.Fixed(s.Interval.OkPerSecond, 1)}/s p50={Formatting.Ms(s.Interval.LatencyP50)} p99={Formatting.Ms(s.Interval.LatencyP99)}";
}
