using QueueLab.LoadRunner;
using QueueLab.LoadTests.Cli;
using QueueLab.LoadTests.Labs;

namespace QueueLab.LoadTests.Suites;

/// <summary>Runs one suite from the command line: opens (or starts) the lab, runs, writes the report, prints the summary.</summary>
public static class SuiteHost
{
    public static async Task<(SuiteOutcome Outcome, RunReport? Report)> RunAsync(SuiteOptions options, CancellationToken cancellationToken)
    {
        var suite = SuiteCatalog.Find(options.Suite);
        var profile = suite.Profile(options);
        await using var session = options.UsesRunningLab
            ? LabSession.Existing(options.ConnectionStrings)
            : await LabSession.StartAsync(profile, options.Out).ConfigureAwait(false);

        var outcome = await suite.RunAsync(options, session.Connections, cancellationToken).ConfigureAwait(false);
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
