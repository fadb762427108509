using System.Diagnostics;
using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Verification;
using QueueLab.Rabbit;
using QueueLab.Verification;
using RabbitMQ.Client;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>What a pipeline A run measured besides the runner's result.</summary>
public sealed record RabbitRunResult(RunResult Result, long Confirmed, TimeSpan FirstPublishToLastFinalState, long FinalStatesMissing);

/// <summary>
/// The scenario both rabbit suites share: invocation k publishes message k (direct, topic and fanout in turn, the
/// pipeline's headers and body) with a publisher confirm, and completes when every queue it reached has its final
/// state stored. After the run the invariant checker compares the expected (message id, queue) pairs with what the
/// processing log says was processed (exactly once in phases 2 and 3; at least once in phase 1), and the final-state table
/// must hold every pair.
/// </summary>
public static class RabbitRun
{
    public const string PublishConfirm = "publish confirm (window wait included)";

    /// <summary>Sends <paramref name="messages"/> through (a burst, unmeasured) so the services are warm; fails if any is lost.</summary>
    public static async Task WarmUpAsync(RabbitProbe client, RabbitSettings settings, int messages, SuiteOptions options, CancellationToken cancellationToken)
    {
        if (messages <= 0)
        {
            return;
        }

        options.Out.WriteLine($"warm-up: {messages} messages");
        var warm = await RunAsync(client, settings, "warm-up", Simulation.Burst(messages), options with { Progress = ProgressMode.None, Output = TextWriter.Null },
            TimeSpan.FromSeconds(120), alongside: null, cancellationToken).ConfigureAwait(false);
        if (!warm.Result.Passed)
        {
            throw new InvalidOperationException($"The warm-up run failed: {warm.Result.Verification?.Text ?? warm.Result.AbortReason}");
        }
    }

    public static async Task<RabbitRunResult> RunAsync(
        RabbitProbe client, RabbitSettings settings, string name, LoadSimulation simulation, SuiteOptions options,
        TimeSpan drainTimeout, Func<CancellationToken, Task>? alongside, CancellationToken cancellationToken)
    {
        var capacity = (int)LoadSchedule.Build([simulation]).ExpectedOpenInvocations;
        var prefix = $"lt{Guid.NewGuid():N}"[..14];
        var stages = new StageRecorder();
        var watcher = new FinalStateWatcher(client, prefix, capacity, stages);
        await watcher.StartAsync().ConfigureAwait(false);
        await using var publisher = await ConfirmingPublisher.CreateAsync(client.Broker, settings.ConfirmWindow, cancellationToken).ConfigureAwait(false);
        using var stopWatching = new CancellationTokenSource();
        var watching = watcher.RunAsync(stopWatching.Token);
        var sideTask = alongside?.Invoke(stopWatching.Token) ?? Task.CompletedTask;

        var confirmed = new bool[capacity];
        long firstPublish = 0;
        long confirmedCount = 0;
        var scenario = Scenario.Create(name, async (context, ct) =>
        {
            var index = context.InvocationNumber;
            var messageId = $"{prefix}-{index}";
            var (exchange, routingKey) = RabbitSettings.Route(index);
            var properties = new BasicProperties
            {
                MessageId = messageId,
                Persistent = true,
                ContentType = "application/json",
                Headers = MessageFactory.Headers(messageId, StateTransitions.Validate),
            };
            var body = MessageFactory.Body(new MessageBody("load", 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            var sent = Stopwatch.GetTimestamp();
            Interlocked.CompareExchange(ref firstPublish, sent, 0);
            await publisher.PublishAsync(exchange, routingKey, properties, body, ct).ConfigureAwait(false);
            context.Record(PublishConfirm, Stopwatch.GetElapsedTime(sent));
            watcher.Confirmed(index, DateTimeOffset.UtcNow);
            confirmed[index] = true;
            Interlocked.Increment(ref confirmedCount);
            await watcher.Completion(index).WaitAsync(ct).ConfigureAwait(false);
            return StepResult.Ok();
        }).WithLoadSimulations(simulation);

        long missing = 0;
        var runOptions = new RunOptions
        {
            Stages = stages,
            MaxConcurrency = capacity + 1,
            DrainTimeout = drainTimeout,
            Progress = options.Progress,
            Output = options.Output,
            Verify = async ct =>
            {
                var expected = Enumerable.Range(0, capacity).Where(i => confirmed[i])
                    .SelectMany(i => RabbitSettings.QueuesFor(i).Select(q => new QueuedMessage($"{prefix}-{i}", q))).ToList();
                var check = await client.CheckRunAsync(MessageIdPattern.StartingWith(prefix + "-"), expected, settings.Deduplicates, ct).ConfigureAwait(false);
                missing = check.Missing;
                return Invariants.ToResult(check.Report, $"pipeline A processing log for ids {prefix}-*, {check.Stored} final states stored, {missing} missing");
            },
        };

        RunResult result;
        try
        {
            result = await ScenarioRunner.RunAsync(scenario, runOptions, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
            await sideTask.ConfigureAwait(false);
        }

        var span = firstPublish != 0 && watcher.LastCompletionTimestamp > firstPublish
            ? Stopwatch.GetElapsedTime(firstPublish, watcher.LastCompletionTimestamp)
            : TimeSpan.Zero;
        return new RabbitRunResult(result.WithMetric("final_states_missing", missing), confirmedCount, span, missing);
    }
}
