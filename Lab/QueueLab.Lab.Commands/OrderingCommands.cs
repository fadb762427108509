using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Ordering;
using QueueLab.Lab.Resources;
using QueueLab.Lab.Setup;
using QueueLab.LoadSuites.Cli;
using QueueLab.Ordering;

namespace QueueLab.Lab.Commands;

/// <summary>
/// Pipeline B's commands, on the <c>ordering</c> resource (parent of the processors and sequencers): an ordered burst, an
/// ordered soak (start / stop), the invariant check of the whole output, clearing the pipeline's data, and a kill -9 of the
/// sequencer that leads. Runs are the load suites' <c>ordered-burst</c> and <c>ordered-soak</c> with the lab's own
/// processor count, in-flight limit and work time.
/// </summary>
public static class OrderingCommands
{
    public const string ResourceName = ResourceNames.OrderingPipeline;
    public const string Burst = "ordered-burst";
    public const string SoakStart = "ordered-soak-start";
    public const string SoakStop = "ordered-soak-stop";
    public const string Verify = "verify-output";
    public const string Clear = "clear-state";
    public const string CrashLeader = "crash-leader";

    internal static void AddTo(IDistributedApplicationBuilder builder, LabSetup setup)
    {
        var shape = setup.Ordering;
        var pipeline = LabCommands.AddPipeline(builder, ResourceName,
            $"Pipeline B (Redis, exact order): {shape.Describe()}; run bursts and soaks, verify and clear its output here.",
            ResourceNames.Processor, ResourceNames.Sequencer);
        var resource = pipeline.Resource;
        builder.Services.AddHostedService(sp => new OrderingPartitionsView(sp, resource, shape));

        pipeline.WithCommand(Burst, "Ordered burst", context => LabCommands.GuardAsync(context, "The ordered burst", async () =>
        {
            var messages = CommandArguments.Int(context.Arguments, "messages", 500, 1, 100_000);
            var run = await LoadRunCommands.StartAsync(context, resource, setup, new SuiteOptions { Suite = "ordered-burst", Messages = messages }).ConfigureAwait(false);
            return await LoadRunCommands.WaitAsync(run, context.CancellationToken).ConfigureAwait(false);
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
            await LoadRunCommands.StartAsync(context, resource, setup,
                new SuiteOptions { Suite = "ordered-soak", Duration = duration, Rate = rate > 0 ? rate : null }).ConfigureAwait(false);
            return CommandResults.Success(
                $"ordered-soak started for {CommandArguments.Format(duration)} at {(rate > 0 ? $"{rate} msg/s" : "70% of capacity")} " +
                $"on {shape.Describe()}; 'Stop ordered soak' ends it early and writes its report.");
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
            await LoadRunCommands.StopSoakAsync(context, resource, "ordered-soak", async ct =>
            {
                // The runner counts a stopped run as aborted and skips its own check: check the output once the pipeline is idle.
                await using var probe = await ConnectAsync(context.Services, shape.Partitions, shape.Mode, ct).ConfigureAwait(false);
                var check = await Poll.ForAsync(probe.CheckAsync, c => c.Idle, TimeSpan.FromMinutes(1), "pipeline B is idle after the soak",
                    TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                return (check.Report.Passed, check.Headline);
            }).ConfigureAwait(false)), new CommandOptions
        {
            Description = "Stops the running ordered soak as Ctrl+C would (the run ends as aborted and writes its report), waits for the pipeline " +
                          "to finish the messages already pushed and verifies the whole output.",
            IconName = "Stop",
        });

        pipeline.WithCommand(Verify, "Verify output", context => LabCommands.GuardAsync(context, "Verifying pipeline B", async () =>
        {
            await using var probe = await ConnectAsync(context.Services, shape.Partitions, shape.Mode, context.CancellationToken).ConfigureAwait(false);
            var check = await probe.CheckAsync().ConfigureAwait(false);
            return LoadRunCommands.Report(context.Services, resource, check.Report.Passed, check.Headline, check.Report.Render(20));
        }), new CommandOptions
        {
            Description = "Runs the invariant checker on the whole output list: every seq the sequencer passed is there once, in order (skipped seqs excepted).",
            IconName = "CheckmarkCircle",
        });

        pipeline.WithCommand(Clear, "Clear pipeline state", context => LabCommands.GuardAsync(context, "Clearing pipeline B", async () =>
        {
            if (context.Services.GetRequiredService<LoadRuns>().Active(ResourceName) is { } running)
            {
                return CommandResults.Failure($"Refused: {running.Suite} is running on pipeline B; clear it after the run.");
            }

            await using var probe = await ConnectAsync(context.Services, shape.Partitions, shape.Mode, context.CancellationToken).ConfigureAwait(false);
            var cleared = await probe.ClearAsync().ConfigureAwait(false);
            if (!cleared.Cleared)
            {
                return CommandResults.Failure(cleared.Describe());
            }

            LabCommands.Logger(context.Services, resource).LogInformation("{Message}", cleared.Describe());
            return CommandResults.Success(cleared.Describe());
        }), new CommandOptions
        {
            Description = "Deletes pipeline B's data in Redis so producers start again at seq 1; the services keep running. Refused while messages are on their way.",
            ConfirmationMessage = "Delete pipeline B's input, output, dead letters and records? Producers must start again at seq 1.",
            IconName = "Delete",
        });

        pipeline.WithCommand(CrashLeader, "Crash the sequencer leader", context => LabCommands.GuardAsync(context, "Crashing the sequencer leader", async () =>
        {
            var partition = CommandArguments.Int(context.Arguments, "partition", 0, 0, shape.Partitions - 1);
            await using var probe = await ConnectAsync(context.Services, shape.Partitions, shape.Mode, context.CancellationToken).ConfigureAwait(false);
            var token = await probe.LeaderAsync(partition).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No sequencer holds the lock of partition {partition} right now (none leads).");
            // The lock token starts with the replica's service.instance.id, the suffix of its Aspire instance id.
            var faults = context.Services.GetRequiredService<LabFaults>();
            var leader = faults.Resources.ReplicaOf(ResourceNames.Sequencer, token)?.InstanceId
                ?? throw new InvalidOperationException($"The lock is held by '{token}', which is none of this lab's sequencer replicas.");
            var result = await faults.Processes.KillAsync(leader, context.CancellationToken).ConfigureAwait(false);
            var message = $"kill -9 of the sequencer leader {leader}{(shape.Partitions > 1 ? $" of partition {partition} (and of every partition it led)" : "")}: "
                + $"{result.Detail}; a standby takes the lock within about a second (Start brings {leader} back)";
            LabCommands.Logger(context.Services, resource).LogInformation("{Message}", message);
            return CommandResults.Success(message);
        }), new CommandOptions
        {
            Description = shape.Partitions == 1
                ? "kill -9 of the sequencer replica that holds the lock; the output must stay in exact order across the failover."
                : "kill -9 of the sequencer replica that holds the given partition's lock (the resource's properties show each partition's leader); "
                  + "the output must stay in exact order across the failover.",
            Arguments = shape.Partitions == 1 ? [] :
                [CommandArguments.Number("partition", "Partition", 0, $"Whose leader to kill (0 to {shape.Partitions - 1}).")],
            IconName = "Flash",
        });
    }

    private static async Task<OrderingProbe> ConnectAsync(IServiceProvider services, int partitions, OrderingMode mode, CancellationToken cancellationToken) =>
        await OrderingProbe.ConnectAsync(
            await LabCommands.ConnectionStringAsync(services, ResourceNames.Cache, cancellationToken).ConfigureAwait(false),
            clientName: "queuelab-apphost-commands", partitions: partitions, mode: mode).ConfigureAwait(false);
}
