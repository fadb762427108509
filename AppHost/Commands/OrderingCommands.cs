using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.AppHost.Infrastructure;
using QueueLab.Faults;
using QueueLab.Ordering;

namespace QueueLab.AppHost.Commands;

/// <summary>
/// Pipeline B's commands, on the <c>ordering</c> resource (parent of the processors and sequencers): an ordered burst,
/// an ordered soak (start / stop), the invariant check of the whole output, clearing the pipeline's data, and a kill -9 of
/// the sequencer that leads. Runs go through the load suites' command line (<c>ordered-burst</c>, <c>ordered-soak</c>)
/// with the lab's own processor count, in-flight limit and work time.
/// </summary>
public static class OrderingCommands
{
    public const string ResourceName = "ordering";
    public const string Burst = "ordered-burst";
    public const string SoakStart = "ordered-soak-start";
    public const string SoakStop = "ordered-soak-stop";
    public const string Verify = "verify-output";
    public const string Clear = "clear-state";
    public const string CrashLeader = "crash-leader";

    private static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);

    internal static void AddTo(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var pipeline = LabCommands.AddPipeline(builder, ResourceName,
            "Pipeline B (Redis, exact order): processors and sequencers; run bursts and soaks, verify and clear its output here.",
            "processor", "sequencer");
        var resource = pipeline.Resource;
        string Shape(IServiceProvider services) => Settings(services, configuration).Describe();

        pipeline.WithCommand(Burst, "Ordered burst", context => LabCommands.GuardAsync(context, "The ordered burst", async () =>
        {
            var messages = CommandArguments.Int(context.Arguments, "messages", 500, 1, 100_000);
            var settings = Settings(context.Services, configuration);
            var run = await StartAsync(context, resource, "ordered-burst", ["--messages", Invariant(messages), .. settings.Arguments()]).ConfigureAwait(false);
            return await WaitAsync(run, context.CancellationToken).ConfigureAwait(false);
        }), new CommandOptions
        {
            Description = "Pushes N messages at once into pipeline B's input through the load suites (ordered-burst), waits for all of them " +
                          "in the output, verifies the order and writes an HTML report (its path is in this resource's log).",
            Arguments = [CommandArguments.Number("messages", "Messages", 500, "How many messages to push at once (1 to 100000).")],
            IconName = "Play",
            IsHighlighted = true,
        });

        pipeline.WithCommand(SoakStart, "Start ordered soak", context => LabCommands.GuardAsync(context, "Starting the ordered soak", async () =>
        {
            var duration = CommandArguments.Duration(context.Arguments, "duration", TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));
            var rate = CommandArguments.Int(context.Arguments, "rate", 0, 0, 100_000);
            var settings = Settings(context.Services, configuration);
            List<string> arguments = ["--duration", CommandArguments.Format(duration), .. settings.Arguments()];
            if (rate > 0)
            {
                arguments.AddRange(["--rate", Invariant(rate)]);
            }

            var run = await StartAsync(context, resource, "ordered-soak", arguments).ConfigureAwait(false);
            return CommandResults.Success(
                $"ordered-soak started (pid {run.ProcessId}) for {CommandArguments.Format(duration)} at {(rate > 0 ? $"{rate} msg/s" : "70% of capacity")} " +
                $"on {Shape(context.Services)}; 'Stop ordered soak' ends it early and writes its report.");
        }), new CommandOptions
        {
            Description = "Starts a constant open-model load (ordered-soak) that runs until stopped or for the given duration.",
            Arguments =
            [
                CommandArguments.Text("duration", "Duration", "10m", "How long at most (5s to 24h: 60s, 5m, 01:00:00); stop it earlier with 'Stop ordered soak'."),
                CommandArguments.Number("rate", "Rate (msg/s)", 0, "Messages per second; 0 for 70% of the processors' capacity (P x C / W)."),
            ],
            IconName = "Pulse",
        });

        pipeline.WithCommand(SoakStop, "Stop ordered soak", context => LabCommands.GuardAsync(context, "Stopping the ordered soak", async () =>
            await StopSoakAsync(context, ResourceName, "ordered-soak", async ct =>
            {
                // The runner counts a stopped run as aborted and skips its own check: check the output once the pipeline is idle.
                var check = await Poll(() => CheckAsync(context.Services, ct), c => c.Idle, ct).ConfigureAwait(false);
                return (check.Report.Passed, check.Headline);
            }).ConfigureAwait(false)), new CommandOptions
        {
            Description = "Stops the running ordered soak as Ctrl+C would (the run ends as aborted and writes its report), waits for the pipeline " +
                          "to finish the messages already pushed and verifies the whole output.",
            IconName = "Stop",
        });

        pipeline.WithCommand(Verify, "Verify output", context => LabCommands.GuardAsync(context, "Verifying pipeline B", async () =>
        {
            var check = await CheckAsync(context.Services, context.CancellationToken).ConfigureAwait(false);
            var logger = Logger(context.Services, resource);
            logger.LogInformation("verify: {Headline}", check.Headline);
            if (!check.Report.Passed)
            {
                logger.LogWarning("{Report}", check.Report.Render(20));
            }

            return check.Report.Passed
                ? CommandResults.Success(check.Headline)
                : CommandResults.Failure(check.Headline, check.Report.Render(20), CommandResultFormat.Text);
        }), new CommandOptions
        {
            Description = "Runs the invariant checker on the whole output list: every seq the sequencer passed is there once, in order (skipped seqs excepted).",
            IconName = "CheckmarkCircle",
        });

        pipeline.WithCommand(Clear, "Clear pipeline state", context => LabCommands.GuardAsync(context, "Clearing pipeline B", async () =>
        {
            var runs = context.Services.GetRequiredService<LoadRuns>();
            if (runs.Active(ResourceName) is { } running)
            {
                return CommandResults.Failure($"Refused: {running.Suite} is running on pipeline B; clear it after the run.");
            }

            await using var redis = await OrderingInspector.ConnectAsync(
                await LabCommands.ConnectionStringAsync(context.Services, LabServers.CacheName, context.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            var cleared = await OrderingInspector.ClearAsync(redis.GetDatabase(), OrderingKeys.Default).ConfigureAwait(false);
            var message = cleared.Describe();
            if (!cleared.Cleared)
            {
                return CommandResults.Failure(message);
            }

            Logger(context.Services, resource).LogInformation("{Message}", message);
            return CommandResults.Success(message);
        }), new CommandOptions
        {
            Description = "Deletes pipeline B's data in Redis so producers start again at seq 1; the services keep running. Refused while messages are in flight.",
            ConfirmationMessage = "Delete pipeline B's input, output, dead letters and records? Producers must start again at seq 1.",
            IconName = "Delete",
        });

        pipeline.WithCommand(CrashLeader, "Crash the sequencer leader", context => LabCommands.GuardAsync(context, "Crashing the sequencer leader", async () =>
        {
            await using var redis = await OrderingInspector.ConnectAsync(
                await LabCommands.ConnectionStringAsync(context.Services, LabServers.CacheName, context.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            var token = await OrderingInspector.LeaderAsync(redis.GetDatabase(), OrderingKeys.Default).ConfigureAwait(false)
                ?? throw new InvalidOperationException("No sequencer holds the lock right now (none leads).");
            // The lock token starts with the replica's service.instance.id, the suffix of its Aspire instance id.
            var faults = context.Services.GetRequiredService<LabFaults>();
            var leader = faults.ReplicaOf("sequencer", token)?.InstanceId
                ?? throw new InvalidOperationException($"The lock is held by '{token}', which is none of this lab's sequencer replicas.");
            var result = await faults.KillAsync(leader, context.CancellationToken).ConfigureAwait(false);
            var message = $"kill -9 of the sequencer leader {leader}: {result.Detail}; a standby takes the lock within about a second (Start brings {leader} back)";
            Logger(context.Services, resource).LogInformation("{Message}", message);
            return CommandResults.Success(message);
        }), new CommandOptions
        {
            Description = "kill -9 of the sequencer replica that holds the lock; the output must stay in exact order across the failover.",
            IconName = "Flash",
        });
    }

    internal static async Task<OrderingCheck> CheckAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var redis = await OrderingInspector.ConnectAsync(
            await LabCommands.ConnectionStringAsync(services, LabServers.CacheName, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return await OrderingInspector.CheckAsync(redis.GetDatabase(), OrderingKeys.Default).ConfigureAwait(false);
    }

    private static async Task<LoadRun> StartAsync(ExecuteCommandContext context, IResource pipeline, string suite, IReadOnlyList<string> arguments)
    {
        var services = context.Services;
        var cache = await LabCommands.ConnectionStringAsync(services, LabServers.CacheName, context.CancellationToken).ConfigureAwait(false);
        return await StartRunAsync(services, pipeline, suite, [.. arguments, "--cache", cache], context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a run of <paramref name="suite"/> on a pipeline and shows it in the pipeline's state until it ends.</summary>
    internal static async Task<LoadRun> StartRunAsync(IServiceProvider services, IResource pipeline, string suite, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken)
    {
        var secrets = await LabCommands.SecretsAsync(services, cancellationToken).ConfigureAwait(false);
        var run = services.GetRequiredService<LoadRuns>().Start(pipeline.Name, suite, arguments, secrets, Logger(services, pipeline),
            onExit: ended => _ = LabCommands.SetStateAsync(services, pipeline, PipelineResource.Idle, KnownResourceStateStyles.Info));
        await LabCommands.SetStateAsync(services, pipeline, $"{suite} running", KnownResourceStateStyles.Success).ConfigureAwait(false);
        return run;
    }

    /// <summary>Waits for a burst; the dashboard's cancel stops it like Ctrl+C (it still writes its report).</summary>
    internal static async Task<ExecuteCommandResult> WaitAsync(LoadRun run, CancellationToken cancellationToken)
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
    /// Stops a soak (SIGINT: the runner aborts, the suite still writes its report) and then runs the pipeline's own check
    /// on what the soak sent, since an aborted run skips the runner's verification.
    /// </summary>
    internal static async Task<ExecuteCommandResult> StopSoakAsync(ExecuteCommandContext context, string pipeline, string suite,
        Func<CancellationToken, Task<(bool Passed, string Headline)>> checkAfter)
    {
        var run = context.Services.GetRequiredService<LoadRuns>().Active(pipeline);
        if (run is null || run.Suite != suite)
        {
            return CommandResults.Failure(run is null ? $"No {suite} is running." : $"No {suite} is running ({run.Suite} is; it ends on its own).");
        }

        var outcome = await run.StopAsync(StopGrace).ConfigureAwait(false);
        if (outcome.ExitCode is not (0 or 1))
        {
            return CommandResults.Failure($"{suite} stopped without a result (exit code {outcome.ExitCode})", outcome.Summary, CommandResultFormat.Text);
        }

        var (passed, headline) = await checkAfter(context.CancellationToken).ConfigureAwait(false);
        var stopped = $"{suite} stopped after {outcome.Took.TotalSeconds:0} s" + (outcome.ReportPath is null ? "" : $"; report: {outcome.ReportPath}");
        Logger(context.Services, context.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == pipeline))
            .LogInformation("verify after the soak: {Headline}", headline);
        return passed
            ? CommandResults.Success($"{stopped}. Checked after it drained: {headline}", outcome.Summary, CommandResultFormat.Text)
            : CommandResults.Failure($"{stopped}. Checked after it drained: {headline}", outcome.Summary, CommandResultFormat.Text);
    }

    /// <summary>Probes until <paramref name="done"/> (at most a minute), then returns the last value either way.</summary>
    internal static async Task<T> Poll<T>(Func<Task<T>> probe, Func<T, bool> done, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var value = await probe().ConfigureAwait(false);
            if (done(value) || DateTime.UtcNow >= deadline)
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    internal static ILogger Logger(IServiceProvider services, IResource resource) =>
        services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The lab's pipeline B shape, so a run's ideal time and efficiency use the real P, C and W.</summary>
    private static Shape Settings(IServiceProvider services, IConfiguration configuration)
    {
        var processor = services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "processor");
        var replicas = processor.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        var inFlight = int.TryParse(configuration["QueueLab:Ordering:Processor:MaxInFlight"], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 8;
        var work = TimeSpan.TryParse(configuration["QueueLab:Ordering:Processor:WorkTime"], CultureInfo.InvariantCulture, out var w) ? w : TimeSpan.FromMilliseconds(500);
        return new Shape(replicas, inFlight, work);
    }

    private sealed record Shape(int Processors, int InFlight, TimeSpan Work)
    {
        public string[] Arguments() =>
        [
            "--processors", Invariant(Processors),
            "--in-flight", Invariant(InFlight),
            "--work-ms", Work.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        ];

        public string Describe() => $"{Processors} processors x {InFlight} in flight, {Work.TotalMilliseconds:0.###} ms work";
    }
}
