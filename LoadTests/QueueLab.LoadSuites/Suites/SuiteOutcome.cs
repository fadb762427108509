using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Suites;

/// <summary>A suite run: the runner's result (verification, extra metrics and thresholds attached) and the headline figures.</summary>
/// <param name="Result">The run, with its thresholds evaluated.</param>
/// <param name="Figures">Named headline figures, in display order (also in <see cref="RunResult.ExtraMetrics"/> when numeric).</param>
/// <param name="Notes">Readable lines for the summary (settings, baseline, where time went).</param>
/// <param name="Attachments">Extra files for the report folder: name → content.</param>
public sealed record SuiteOutcome(
    RunResult Result,
    IReadOnlyList<(string Name, string Value)> Figures,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, string> Attachments)
{
    public bool Passed => Result.Passed;

    public double Metric(string name) =>
        Result.Metrics.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"The run reports no metric '{name}'.");
}
