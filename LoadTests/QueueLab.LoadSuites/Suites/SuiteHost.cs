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
        var loadBefore = MachineLoad();
        var outcome = await suite.RunAsync(options, lab, cancellationToken).ConfigureAwait(false);
        // Every figure with the machine's load: on a shared machine a figure without it cannot be judged.
        outcome = outcome with { Figures = [.. outcome.Figures, ("machine load average (1 min), before -> after", $"{loadBefore} -> {MachineLoad()} on {Environment.ProcessorCount} cores")] };
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

    /// <summary>The 1-minute load average (/proc/loadavg), or "?" where there is none.</summary>
    private static string MachineLoad()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
