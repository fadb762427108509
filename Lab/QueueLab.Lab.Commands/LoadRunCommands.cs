using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Setup;
using QueueLab.LoadSuites.Cli;

namespace QueueLab.Lab.Commands;

/// <summary>What both pipelines' run commands share: starting a run on a pipeline, waiting for it, stopping a soak, answering.</summary>
internal static class LoadRunCommands
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);

    /// <summary>Starts a run of <paramref name="options"/>' suite on a pipeline, with the lab's own shape, and shows it in
    /// the pipeline's state until it ends.</summary>
    public static async Task<LoadRun> StartAsync(ExecuteCommandContext context, IResource pipeline, LabSetup setup, SuiteOptions options)
    {
        var services = context.Services;
        var lab = await LabCommands.LabAsync(services, setup, context.CancellationToken).ConfigureAwait(false);
        var secrets = await LabCommands.SecretsAsync(services, context.CancellationToken).ConfigureAwait(false);
        var run = services.GetRequiredService<LoadRuns>().Start(pipeline.Name, options.WithLabShape(setup), lab, secrets, LabCommands.Logger(services, pipeline),
            onExit: ended => _ = LabCommands.SetStateAsync(services, pipeline, PipelineResource.Idle, KnownResourceStateStyles.Info));
        await LabCommands.SetStateAsync(services, pipeline, $"{options.Suite} running", KnownResourceStateStyles.Success).ConfigureAwait(false);
        return run;
    }

    /// <summary>Waits for a burst; the dashboard's cancel stops it like Ctrl+C (it still writes its report).</summary>
    public static async Task<ExecuteCommandResult> WaitAsync(LoadRun run, CancellationToken cancellationToken)
    {
        LoadRunOutcome outcome;
        try
        {
            outcome = await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = await run.StopAsync(StopGrace).ConfigureAwait(false);
        }

        return outcome.Passed
            ? CommandResults.Success(outcome.Headline, outcome.Summary, CommandResultFormat.Text)
            : CommandResults.Failure(outcome.Headline, outcome.Summary, CommandResultFormat.Text);
    }

    /// <summary>
    /// Stops a soak (the runner aborts, the suite still writes its report) and then runs the pipeline's own check on what
    /// the soak sent, since an aborted run skips the runner's verification.
    /// </summary>
    public static async Task<ExecuteCommandResult> StopSoakAsync(ExecuteCommandContext context, IResource pipeline, string suite,
        Func<CancellationToken, Task<(bool Passed, string Headline)>> checkAfter)
    {
        var run = context.Services.GetRequiredService<LoadRuns>().Active(pipeline.Name);
        if (run is null || run.Suite != suite)
        {
            return CommandResults.Failure(run is null ? $"No {suite} is running." : $"No {suite} is running ({run.Suite} is; it ends on its own).");
        }

        var outcome = await run.StopAsync(StopGrace).ConfigureAwait(false);
        if (outcome.ExitCode is not (0 or 1))
        {
            return CommandResults.Failure($"{suite} stopped without a result", outcome.Summary, CommandResultFormat.Text);
        }

        var (passed, headline) = await checkAfter(context.CancellationToken).ConfigureAwait(false);
        var stopped = $"{suite} stopped after {outcome.Took.TotalSeconds:0} s" + (outcome.ReportPath is null ? "" : $"; report: {outcome.ReportPath}");
        LabCommands.Logger(context.Services, pipeline).LogInformation("verify after the soak: {Headline}", headline);
        return passed
            ? CommandResults.Success($"{stopped}. Checked after it drained: {headline}", outcome.Summary, CommandResultFormat.Text)
            : CommandResults.Failure($"{stopped}. Checked after it drained: {headline}", outcome.Summary, CommandResultFormat.Text);
    }

    /// <summary>A check's answer, also in the pipeline's console log (the report's detail when it failed).</summary>
    public static ExecuteCommandResult Report(IServiceProvider services, IResource pipeline, bool passed, string headline, string detail)
    {
        var logger = LabCommands.Logger(services, pipeline);
        logger.LogInformation("verify: {Headline}", headline);
        if (!passed)
        {
            logger.LogWarning("{Report}", detail);
        }

        return passed ? CommandResults.Success(headline) : CommandResults.Failure(headline, detail, CommandResultFormat.Text);
    }
}
