using System.Diagnostics;
using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Verification;
using QueueLab.Ordering.Contracts;
using QueueLab.Verification;
using StackExchange.Redis;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>What an ordered run measured besides the runner's result.</summary>
/// <param name="Result">The runner's result, verification attached (thresholds not yet evaluated).</param>
/// <param name="Pushed">Messages pushed.</param>
/// <param name="FirstPushToLastOutput">From the first push to the moment the last message was seen in the output.</param>
/// <param name="PipelineSpan">From the earliest createdAt to the latest sequencedAt (timestamps in the messages).</param>
/// <param name="Redis">What Redis executed during the run (all clients: processors, sequencers, this runner).</param>
/// <param name="RetriedPushes">The seqs whose push was sent again after an error (a chaos run's dropped connection): the
/// first attempt may have landed, so the pipeline may have seen two identical copies and dead-lettered the second as
/// <c>duplicate-seq</c>, as its contract says.</param>
public sealed record OrderedRunResult(RunResult Result, long Pushed, TimeSpan FirstPushToLastOutput, TimeSpan? PipelineSpan, RedisProfile? Redis,
    IReadOnlyCollection<long> RetriedPushes);

/// <summary>
/// The scenario the ordered suites share: invocation k pushes seq first + k (RPUSH, in seq order: the dispatcher
/// calls the step inline) and completes when that seq is in the output. Latency is from the intended push time on the
/// schedule to the output; stage times come from the output messages. The invariant checker runs on the output after.
/// </summary>
public static class OrderedRun
{
    /// <summary>Sends <paramref name="messages"/> through (a burst, unmeasured) so the services are warm; fails if they do not come out in order.</summary>
    public static async Task WarmUpAsync(OrderingProbe client, int messages, SuiteOptions options, CancellationToken cancellationToken)
    {
        if (messages <= 0)
        {
            return;
        }

        options.Out.WriteLine($"warm-up: {messages} messages");
        var warm = await RunAsync(client, "warm-up", Simulation.Burst(messages), options with { Progress = ProgressMode.None, Output = TextWriter.Null },
            TimeSpan.FromSeconds(120), alongside: null, cancellationToken).ConfigureAwait(false);
        if (!warm.Result.Passed)
        {
            throw new InvalidOperationException($"The warm-up run failed: {warm.Result.Verification?.Text ?? warm.Result.AbortReason}");
        }
    }

    public static async Task<OrderedRunResult> RunAsync(
        OrderingProbe client, string name, LoadSimulation simulation, SuiteOptions options, TimeSpan drainTimeout,
        Func<CancellationToken, Task>? alongside, CancellationToken cancellationToken)
    {
        var capacity = LoadSchedule.Build([simulation]).ExpectedOpenInvocations;
        var (first, outputStart) = await client.BeginAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var stages = new StageRecorder();
        var watcher = new OutputWatcher(await client.OutputReaderAsync(first - 1, outputStart).ConfigureAwait(false), first, capacity, stages);
        using var stopWatching = new CancellationTokenSource();
        var watching = watcher.RunAsync(stopWatching.Token);
        var sideTask = alongside?.Invoke(stopWatching.Token) ?? Task.CompletedTask;

        long firstPush = 0;
        long pushed = 0;
        var retried = new System.Collections.Concurrent.ConcurrentDictionary<long, bool>();
        var payload = new string('x', 64);
        var scenario = Scenario.Create(name, async (context, ct) =>
        {
            var index = context.InvocationNumber;
            var seq = first + index;
            var json = OrderingJson.Serialize(new OrderingMessage(seq, payload, DateTimeOffset.UtcNow));
            Interlocked.CompareExchange(ref firstPush, Stopwatch.GetTimestamp(), 0);
            Interlocked.Increment(ref pushed);
            await PushAsync(client, client.InputFor(seq), json, () => retried.TryAdd(seq, true), ct).ConfigureAwait(false);
            await watcher.Completion(index).WaitAsync(ct).ConfigureAwait(false);
            return StepResult.Ok();
        }).WithLoadSimulations(simulation);

        var runOptions = new RunOptions
        {
            Stages = stages,
            // Inline: the dispatcher thread issues each RPUSH itself, so the input holds the seqs in order.
            DispatchOnThreadPool = false,
            MaxConcurrency = (int)Math.Min(int.MaxValue, capacity + 1),
            DrainTimeout = drainTimeout,
            Progress = options.Progress,
            Output = options.Output,
            Verify = async ct =>
            {
                // The watcher's record of the output as it came out: the output's retention may have cut it since.
                await watcher.CaughtUpAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                var observed = watcher.Observed;
                var expected = Enumerable.Range(0, (int)Interlocked.Read(ref pushed)).Select(i => first + i).ToList();
                var report = InvariantChecker.Check(expected, observed, VerificationOptions.Ordered);
                return Invariants.ToResult(report, $"pipeline B output from position {outputStart} as it came out, seqs {first}..{first + expected.Count - 1}"
                    + (watcher.FellBehind > 0 ? $"; the output's retention cut entries before the runner read them {watcher.FellBehind} time(s)" : ""));
            },
        };

        var statsBefore = await TrySnapshotAsync(client).ConfigureAwait(false);
        RunResult result;
        IReadOnlyDictionary<string, (long Calls, long Usec)>? statsAfter;
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

        statsAfter = await TrySnapshotAsync(client).ConfigureAwait(false);
        var profile = statsBefore is not null && statsAfter is not null ? RedisProfile.Between(statsBefore, statsAfter) : null;
        var span = firstPush != 0 && watcher.LastOutputTimestamp > firstPush
            ? Stopwatch.GetElapsedTime(firstPush, watcher.LastOutputTimestamp)
            : TimeSpan.Zero;
        TimeSpan? pipelineSpan = watcher.FirstCreated is { } created && watcher.LastSequenced is { } sequenced ? sequenced - created : null;
        return new OrderedRunResult(result, pushed, span, pipelineSpan, profile, [.. retried.Keys.Order()]);
    }

    /// <summary>
    /// RPUSH, retried with the same bytes until Redis takes it (a chaos run drops connections and restarts Redis): a seq
    /// that never reached the input would stall the sequencer for good, and a second byte-identical copy (when the first
    /// attempt did land but its reply was lost) is deduplicated by the pipeline.
    /// </summary>
    private static async Task PushAsync(OrderingProbe client, RedisKey input, string json, Action retrying, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await client.Db.ListRightPushAsync(input, json).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                retrying();
                await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<IReadOnlyDictionary<string, (long Calls, long Usec)>?> TrySnapshotAsync(OrderingProbe client)
    {
        try
        {
            return await RedisProfile.SnapshotAsync(client.Redis).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or FormatException)
        {
            // INFO may be renamed or denied on a running lab; the profile is optional.
            return null;
        }
    }
}
