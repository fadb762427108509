using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.AppHost.Infrastructure;
using QueueLab.AppHost.Pipelines;
using QueueLab.Messaging;

namespace QueueLab.AppHost.Commands;

/// <summary>
/// Pipeline A's commands, on the <c>rabbit</c> resource (parent of the publisher, consumers, coordinators and schema
/// manager): a burst and a soak (start / stop) for the lab's phase through the load suites' command line, the check of
/// the stored final states against the processing log, and, in phase 3, a queue's priority through the coordinator's API.
/// </summary>
public static class RabbitCommands
{
    public const string ResourceName = "rabbit";
    public const string Burst = "rabbit-burst";
    public const string SoakStart = "rabbit-soak-start";
    public const string SoakStop = "rabbit-soak-stop";
    public const string Verify = "verify-final-states";
    public const string SetPriority = "set-queue-priority";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    internal static void AddTo(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var phase = int.TryParse(configuration[RabbitPipeline.PhaseKey], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 3;
        var pipeline = LabCommands.AddPipeline(builder, ResourceName,
            $"Pipeline A (RabbitMQ, phase {phase}): publisher, consumers{(phase == 3 ? ", coordinators" : "")}; run bursts and soaks, verify the final states here.",
            RabbitPipeline.SchemaManagerName, RabbitPipeline.PublisherName, RabbitPipeline.ConsumerName, CoordinationPipeline.CoordinatorName);
        var resource = pipeline.Resource;

        pipeline.WithCommand(Burst, "Rabbit burst", context => LabCommands.GuardAsync(context, "The rabbit burst", async () =>
        {
            var messages = CommandArguments.Int(context.Arguments, "messages", 1000, 1, 1_000_000);
            List<string> arguments = ["--messages", Invariant(messages)];
            if (!CommandArguments.Bool(context.Arguments, "baseline", false))
            {
                arguments.Add("--no-baseline");
            }

            var run = await StartAsync(context, resource, phase, "rabbit-burst", arguments).ConfigureAwait(false);
            return await OrderingCommands.WaitAsync(run, context.CancellationToken).ConfigureAwait(false);
        }), new CommandOptions
        {
            Description = $"Publishes N messages at once (direct, topic and fanout in turn) through the load suites (rabbit-burst, phase {phase}), " +
                          "waits for every final state, verifies exactly once (at least once in phase 1) and writes an HTML report.",
            Arguments =
            [
                CommandArguments.Number("messages", "Messages", 1000, "How many messages to publish at once (1 to 1000000)."),
                CommandArguments.Boolean("baseline", "Raw RabbitMQ baseline", false, "Also measure raw publish + consume on the same broker for the ratio (as many messages again)."),
            ],
            IconName = "Play",
            IsHighlighted = true,
        });

        pipeline.WithCommand(SoakStart, "Start rabbit soak", context => LabCommands.GuardAsync(context, "Starting the rabbit soak", async () =>
        {
            var duration = CommandArguments.Duration(context.Arguments, "duration", TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));
            var rate = CommandArguments.Int(context.Arguments, "rate", 100, 1, 100_000);
            var run = await StartAsync(context, resource, phase, "rabbit-soak",
                ["--duration", CommandArguments.Format(duration), "--rate", Invariant(rate), "--no-baseline"]).ConfigureAwait(false);
            return CommandResults.Success(
                $"rabbit-soak started (pid {run.ProcessId}) for {CommandArguments.Format(duration)} at {rate} msg/s in phase {phase}; " +
                "'Stop rabbit soak' ends it early and writes its report.");
        }), new CommandOptions
        {
            Description = "Starts a constant rate into pipeline A (rabbit-soak) that runs until stopped or for the given duration.",
            Arguments =
            [
                CommandArguments.Text("duration", "Duration", "10m", "How long at most (5s to 24h: 60s, 5m, 01:00:00); stop it earlier with 'Stop rabbit soak'."),
                CommandArguments.Number("rate", "Rate (msg/s)", 100, "Messages per second (1 to 100000)."),
            ],
            IconName = "Pulse",
        });

        pipeline.WithCommand(SoakStop, "Stop rabbit soak", context => LabCommands.GuardAsync(context, "Stopping the rabbit soak", async () =>
            await OrderingCommands.StopSoakAsync(context, ResourceName, "rabbit-soak", async ct =>
            {
                // The runner counts a stopped run as aborted and skips its own check: check the stored states once they settle.
                var database = await LabCommands.ConnectionStringAsync(context.Services, LabServers.DatabaseName, ct).ConfigureAwait(false);
                var check = await OrderingCommands.Poll(() => RabbitInspector.CheckAsync(database, phase, ct), c => c.Pending == 0, ct).ConfigureAwait(false);
                return (check.Report.Passed, check.Headline);
            }).ConfigureAwait(false)), new CommandOptions
        {
            Description = "Stops the running rabbit soak as Ctrl+C would (the run ends as aborted and writes its report), waits for the " +
                          "messages in flight to settle and checks the final states.",
            IconName = "Stop",
        });

        pipeline.WithCommand(Verify, "Verify final states", context => LabCommands.GuardAsync(context, "Verifying pipeline A", async () =>
        {
            var database = await LabCommands.ConnectionStringAsync(context.Services, LabServers.DatabaseName, context.CancellationToken).ConfigureAwait(false);
            var check = await RabbitInspector.CheckAsync(database, phase, context.CancellationToken).ConfigureAwait(false);
            var logger = OrderingCommands.Logger(context.Services, resource);
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
            Description = "Checks PostgreSQL: every stored final state was processed exactly once (at least once in phase 1) by the processing log, " +
                          "and nothing was processed without its final state; counts duplicates skipped, retries and dead letters.",
            IconName = "CheckmarkCircle",
        });

        if (phase == 3)
        {
            var queues = QueueNames(configuration);
            pipeline.WithCommand(SetPriority, "Set queue priority", context => LabCommands.GuardAsync(context, "Setting the queue priority", async () =>
            {
                var queue = CommandArguments.Raw(context.Arguments, "queue")
                    ?? throw new CommandArgumentException($"queue is missing; name one of {string.Join(", ", queues)}.");
                var priority = CommandArguments.Int(context.Arguments, "priority", 0, 1, 1000);
                return await SetPriorityAsync(context, resource, queue, priority).ConfigureAwait(false);
            }), new CommandOptions
            {
                Description = "Changes a queue's priority through the coordinator's API (PUT /queues/{queue}); the leader reallocates the consumers at once.",
                Arguments =
                [
                    CommandArguments.Choice("queue", "Queue", queues, queues[0], "The queue to change.", custom: true),
                    CommandArguments.Number("priority", "Priority", 4, "The new priority (1 to 1000); consumers are allocated in proportion."),
                ],
                ConfirmationMessage = "Change this queue's priority? The coordinator moves consumers between queues right away.",
                IconName = "ArrowSort",
            });
        }
    }

    private static async Task<ExecuteCommandResult> SetPriorityAsync(ExecuteCommandContext context, IResource pipeline, string queue, int priority)
    {
        var coordinator = context.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ProjectResource>().Single(r => r.Name == CoordinationPipeline.CoordinatorName);
        var endpoint = coordinator.GetEndpoint("http");
        if (!endpoint.IsAllocated)
        {
            return CommandResults.Failure("The coordinator has no endpoint yet; wait until it runs.");
        }

        var uri = new Uri($"{endpoint.Url}/queues/{Uri.EscapeDataString(queue)}");
        using var response = await Http.PutAsJsonAsync(uri, new { priority }, context.CancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        var logger = OrderingCommands.Logger(context.Services, pipeline);
        if (!response.IsSuccessStatusCode)
        {
            var reasons = Reasons(body);
            logger.LogWarning("set priority of {Queue} to {Priority} refused ({Status}): {Reasons}", queue, priority, (int)response.StatusCode, reasons);
            return CommandResults.Failure($"The coordinator refused priority {priority} for {queue} ({(int)response.StatusCode}): {reasons}");
        }

        logger.LogInformation("priority of {Queue} set to {Priority} through {Coordinator}; the leader reallocates the consumers", queue, priority, uri.GetLeftPart(UriPartial.Authority));
        return CommandResults.Success($"{queue} now has priority {priority}; GET /assignments on the coordinator shows the new allocation.", body, CommandResultFormat.Json);
    }

    private static string Reasons(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("errors", out var errors))
            {
                return string.Join("; ", errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(v => v.GetString())));
            }
        }
        catch (JsonException)
        {
            // Not a problem document: show it as it came.
        }

        return body.Length > 500 ? body[..500] : body;
    }

    private static async Task<LoadRun> StartAsync(ExecuteCommandContext context, IResource pipeline, int phase, string suite, List<string> arguments)
    {
        var services = context.Services;
        var consumer = services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == RabbitPipeline.ConsumerName);
        arguments.AddRange(
        [
            "--phase", Invariant(phase),
            "--consumers", Invariant(consumer.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1),
            "--messaging", await LabCommands.ConnectionStringAsync(services, LabServers.MessagingName, context.CancellationToken).ConfigureAwait(false),
            "--queuelab", await LabCommands.ConnectionStringAsync(services, LabServers.DatabaseName, context.CancellationToken).ConfigureAwait(false),
        ]);
        return await OrderingCommands.StartRunAsync(services, pipeline, suite, arguments, context.CancellationToken).ConfigureAwait(false);
    }

    private static string[] QueueNames(IConfiguration configuration)
    {
        var configured = configuration.GetSection(RabbitPipeline.Section).GetSection("Queues").GetChildren()
            .Select(q => q["Name"]).OfType<string>().Where(n => n.Length > 0).ToArray();
        return configured.Length > 0 ? configured : [.. LabTopology.DefaultQueues.Select(q => q.Name)];
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
