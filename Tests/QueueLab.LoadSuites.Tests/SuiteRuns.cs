using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadSuites.Tests;

/// <summary>Runs a suite the way the command line does (no live progress, no report files) and shows its summary in the test output.</summary>
public static class SuiteRuns
{
    public static async Task<SuiteOutcome> RunAsync(string suite, SuiteOptions options, LabConnections lab)
    {
        var log = new StringWriter();
        var outcome = await SuiteCatalog.Find(suite)
            .RunAsync(options with { Suite = suite, Progress = ProgressMode.None, Output = log, NoReport = true }, lab, TestContext.Current.CancellationToken);
        var summary = SuiteReport.Summary(outcome, report: null);
        TestContext.Current.TestOutputHelper?.WriteLine(log + summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        return outcome;
    }

    /// <summary>Every correctness threshold (lost, duplicated, reordered, unexpected, failed, dropped) held.</summary>
    public static void ShouldBeCorrect(this SuiteOutcome outcome)
    {
        var failed = outcome.Result.Thresholds.Where(t => !t.Passed).Select(t => $"{t.Description} (actual {t.Actual})").ToList();
        failed.ShouldBeEmpty(SuiteReport.Summary(outcome, null));
        outcome.Result.Verification.ShouldNotBeNull().Passed.ShouldBeTrue(outcome.Result.Verification!.Text);
        outcome.Passed.ShouldBeTrue();
    }
}
