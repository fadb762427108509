namespace QueueLab.Lab.Commands;

/// <summary>How a load run ended.</summary>
/// <param name="Suite">The suite (ordered-burst, rabbit-soak, ...).</param>
/// <param name="ExitCode">As the command line would exit: 0 passed, 1 a threshold or the invariant check failed, 3 no result.</param>
/// <param name="Took">From the start of the run to its end.</param>
/// <param name="ReportPath">The run's HTML report, when it wrote one.</param>
/// <param name="Summary">The summary the suite printed at the end (or why it could not complete).</param>
public sealed record LoadRunOutcome(string Suite, int ExitCode, TimeSpan Took, string? ReportPath, string Summary)
{
    public bool Passed => ExitCode == 0;

    public string Headline =>
        $"{Suite} {(Passed ? "passed" : ExitCode == 1 ? "FAILED" : "could not complete")} in {Took.TotalSeconds:0.0} s" +
        (ReportPath is null ? "" : $"; report: {ReportPath}");
}
