using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;

namespace QueueLab.LoadSuites.Suites;

/// <summary>Runs one suite against the lab it is given: runs, writes the report, prints the summary.</summary>
public static class SuiteHost
{
    public static async Task<(SuiteOutcome Outcome, RunReport? Report)> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var suite = SuiteCatalog.Find(options.Suite);
        var outcome = await suite.RunAsync(options, lab, cancellationToken).ConfigureAwait(false);
        if (options.LabSettings.Count > 0)
        {
            // A report says what the lab ran with beyond the suite's own settings, so the figure can be reproduced.
            outcome = outcome with { Figures = [("lab settings (--set)", string.Join(" ", options.LabSettings)), .. outcome.Figures] };
        }

        RunReport? report = null;
        if (!options.NoReport)
        {
            report = await SuiteReport.WriteAsync(outcome, options.ReportDirectory ?? SuiteReport.DefaultRoot(), CancellationToken.None)
                .ConfigureAwait(false);
        }

        await options.Out.WriteAsync(SuiteReport.Summary(outcome, report)).ConfigureAwait(false);
        return (outcome, report);
    }
}
