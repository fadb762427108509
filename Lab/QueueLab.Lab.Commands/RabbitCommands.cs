using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Rabbit;
using QueueLab.Lab.Setup;
using QueueLab.LoadSuites.Cli;

namespace QueueLab.Lab.Commands;

/// <summary>
/// Pipeline A's commands, on the <c>rabbit</c> resource (parent of the publisher, consumers, coordinators and schema
/// manager): a burst and a soak (start / stop) for the lab's phase through the load suites, the check of
/// the stored final states against the processing log, and, in phase 3, a queue's priority through the coordinator's API.
/// </summary>
public static class RabbitCommands
{
    public const string ResourceName = ResourceNames.RabbitPipeline;
    public const string Burst = "rabbit-burst";
    public const string SoakStart = "rabbit-soak-start";
    public const string SoakStop = "rabbit-soak-stop";
    public const string Verify = "verify-final-states";
    public const string SetPriority = "set-queue-priority";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    internal static void AddTo(IDistributedApplicationBuilder builder, LabSetup setup)
    {
        var phase = setup.Rabbit.Phase;
        var pipeline = LabCommands.AddPipeline(builder, ResourceName,
            $"Pipeline A (RabbitMQ, {setup.Rabbit.Describe()}); run bursts and soaks, verify the final states here.",
            ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer, ResourceNames.Coordinator);
        var resource = pipeline.Resource;

        pipeline.WithCommand(Burst, "Rabbit burst", context => LabCommands.GuardAsync(context, "The rabbit burst", async () =>
        {
            var messages = CommandArguments.Int(context.Arguments, "messages", 1000, 1, 1_000_000);
            var baseline = CommandArguments.Bool(context.Arguments, "baseline", false);
            var run = await LoadRunCommands.StartAsync(context, resource, setup,
                new SuiteOptions { Suite = "rabbit-burst", Messages = messages, NoBaseline = !baseline }).ConfigureAwait(false);
            return await LoadRunCommands.WaitAsync(run, context.CancellationToken).ConfigureAwait(false);
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
            await LoadRunCommands.StartAsync(context, resource, setup,
                new SuiteOptions { Suite = "rabbit-soak", Duration = duration, Rate = rate, NoBaseline = true }).ConfigureAwait(false);
            return CommandResults.Success(
                $"rabbit-soak started for {CommandArguments.Format(duration)} at {rate} msg/s in phase {phase}; " +
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
            await LoadRunCommands.StopSoakAsync(context, resource, "rabbit-soak", async ct =>
            {
                // The runner counts a stopped run as aborted and skips its own check: check the stored states once they settle.
                await using var probe = await ConnectAsync(context.Services, ct).ConfigureAwait(false);
                var check = await Poll.ForAsync(() => probe.CheckAsync(phase, ct), c => c.Pending == 0, TimeSpan.FromMinutes(1),
                    "pipeline A has no message pending after the soak", TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                return (check.Report.Passed, check.Headline);
            }).ConfigureAwait(false)), new CommandOptions
        {
            Description = "Stops the running rabbit soak as Ctrl+C would (the run ends as aborted and writes its report), waits for the " +
                          "messages in flight to settle and checks the final states.",
            IconName = "Stop",
        });

        pipeline.WithCommand(Verify, "Verify final states", context => LabCommands.GuardAsync(context, "Verifying pipeline A", async () =>
        {
            await using var probe = await ConnectAsync(context.Services, context.CancellationToken).ConfigureAwait(false);
            var check = await probe.CheckAsync(phase, context.CancellationToken).ConfigureAwait(false);
            return LoadRunCommands.Report(context.Services, resource, check.Report.Passed, check.Headline, check.Report.Render(20));
        }), new CommandOptions
        {
            Description = "Checks PostgreSQL: every stored final state was processed exactly once (at least once in phase 1) by the processing log, " +
                          "and nothing was processed without its final state; counts duplicates skipped, retries and dead letters.",
            IconName = "CheckmarkCircle",
        });

        if (phase == 3)
        {
            var queues = setup.Rabbit.Queues;
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
            .OfType<ProjectResource>().Single(r => r.Name == ResourceNames.Coordinator);
        var endpoint = coordinator.GetEndpoint("http");
        if (!endpoint.IsAllocated)
        {
            return CommandResults.Failure("The coordinator has no endpoint yet; wait until it runs.");
        }

        var uri = new Uri($"{endpoint.Url}/queues/{Uri.EscapeDataString(queue)}");
        using var response = await Http.PutAsJsonAsync(uri, new { priority }, context.CancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        var logger = LabCommands.Logger(context.Services, pipeline);
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

    private static async Task<RabbitProbe> ConnectAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        RabbitProbe.Connect(await LabCommands.ConnectionStringAsync(services, ResourceNames.Database, cancellationToken).ConfigureAwait(false));
}
