using System.Diagnostics;
using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;
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
/// <param name="RetriedPushes">The ids (the seq; per key <c>key#seq</c>) whose push was sent again after an error (a chaos
/// run's dropped connection): the first attempt may have landed, so the pipeline may have seen two identical copies and
/// dead-lettered the second as <c>duplicate-seq</c>, as its contract says.</param>
/// <param name="Verification">The invariant check of the run's output (ids: the seq; per key <c>key#seq</c>).</param>
/// <param name="Kill">What the run's <c>--kill</c> did, when it had one.</param>
/// <param name="LongestGapAfterKill">The longest time the output gave none of the run's messages after the kill.</param>
public sealed record OrderedRunResult(RunResult Result, long Pushed, TimeSpan FirstPushToLastOutput, TimeSpan? PipelineSpan, RedisProfile? Redis,
    IReadOnlyCollection<string> RetriedPushes, VerificationReport<string>? Verification = null, KillOutcome? Kill = null, TimeSpan? LongestGapAfterKill = null)
{
    /// <summary>Summary metric: the longest output gap after the run's kill, in ms.</summary>
    public const string LongestGapMetric = "kill_longest_gap_ms";

    /// <summary>Summary metric: from the kill until another sequencer held the lock, in ms.</summary>
    public const string LockMovedMetric = "kill_lock_moved_ms";

    /// <summary>The run's result with the kill's metrics, and the figures that describe it (none without a kill).</summary>
    public (RunResult Result, IReadOnlyList<(string, string)> Figures) WithKill(RunResult result, KillPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (plan is null || Kill is null)
        {
            return (result, []);
        }

        if (Kill.Error is { } error)
        {
            return (result, [("kill", $"{plan.Describe()}: nothing killed: {error}")]);
        }

        var figures = new List<(string, string)> { ("kill", $"{plan.Describe()}: {Kill.Instance} (pids {string.Join(", ", Kill.Pids)})") };
        if (LongestGapAfterKill is { } gap)
        {
            result = result.WithMetric(LongestGapMetric, Math.Round(gap.TotalMilliseconds, 1));
            figures.Add(("longest output gap after the kill", Fmt.Ms(gap)));
        }

        if (plan.Target == KillTarget.Leader)
        {
            figures.Add(("another sequencer held the lock", Kill.LockMoved is { } moved ? Fmt.Ms(moved) + " after the kill" : "not within 30 s"));
            if (Kill.LockMoved is { } movedMs)
            {
                result = result.WithMetric(LockMovedMetric, Math.Round(movedMs.TotalMilliseconds, 1));
            }
        }

        return (result, figures);
    }
}

/// <summary>
/// The scenario the ordered suites share: invocation k pushes seq first + k (RPUSH, in seq order: the dispatcher
/// calls the step inline) and completes when that seq is in the output. Per key (<see cref="OrderingMode.PerKey"/>),
/// invocation k pushes seq k / K + 1 of key <c>{run}-{k mod K}</c> (K = <see cref="KeysPerRun"/> keys new to the run), to
/// that key's partition, and the check is per key. Latency is from the intended push time on the
/// schedule to the output; stage times come from the output messages. The invariant checker runs on the output after.
/// </summary>
public static class OrderedRun
{
    /// <summary>How many keys a per-key run spreads its messages over (each gets seqs 1, 2, 3... in push order).</summary>
    public const int KeysPerRun = 64;

    /// <summary>Sends <paramref name="messages"/> through (a burst, unmeasured) so the services are warm; fails if they do not come out in order.</summary>
    public static async Task WarmUpAsync(OrderingProbe client, int messages, SuiteOptions options, CancellationToken cancellationToken)
    {
        if (messages <= 0)
        {
            return;
        }

        options.Out.WriteLine($"warm-up: {messages} messages");
        var warm = await RunAsync(client, "warm-up", Simulation.Burst(messages), options with { Progress = ProgressMode.None, Output = TextWriter.Null, Kill = null },
            TimeSpan.FromSeconds(120), alongside: null, cancellationToken).ConfigureAwait(false);
        if (!warm.Result.Passed)
        {
            throw new InvalidOperationException($"The warm-up run failed: {warm.Result.Verification?.Text ?? warm.Result.AbortReason}");
        }
    }

    /// <param name="lab">The lab, for a run with a <c>--kill</c> (<see cref="SuiteOptions.Kill"/>): its processes.</param>
    public static async Task<OrderedRunResult> RunAsync(
        OrderingProbe client, string name, LoadSimulation simulation, SuiteOptions options, TimeSpan drainTimeout,
        Func<CancellationToken, Task>? alongside, CancellationToken cancellationToken, LabConnections? lab = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kill is not null && lab?.ProcessIds is null)
        {
            throw new UsageException("--kill needs a lab whose processes the run can find: one it starts (--apphost, as ./queuelab bench does) or the running ./queuelab lab of this machine.");
        }

        var capacity = LoadSchedule.Build([simulation]).ExpectedOpenInvocations;
        var (first, outputStart) = await client.BeginAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var stages = new StageRecorder();
        var run = new RunKeys(client.PerKey, first);
        var watcher = new OutputWatcher(await client.OutputReaderAsync(first - 1, outputStart).ConfigureAwait(false), run.IndexOf, capacity, stages);
        using var stopWatching = new CancellationTokenSource();
        var watching = watcher.RunAsync(stopWatching.Token);
        var sideTask = alongside?.Invoke(stopWatching.Token) ?? Task.CompletedTask;

        long firstPush = 0;
        var killing = options.Kill is { } plan ? KillAsync(plan, lab!, client, () => Interlocked.Read(ref firstPush), stopWatching.Token) : null;
        long pushed = 0;
        var retried = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var payload = new string('x', 64);
        VerificationReport<string>? verification = null;
        var scenario = Scenario.Create(name, async (context, ct) =>
        {
            var index = context.InvocationNumber;
            var (key, seq) = run.Message(index);
            var json = OrderingJson.Serialize(new OrderingMessage(seq, payload, DateTimeOffset.UtcNow) { Key = key });
            Interlocked.CompareExchange(ref firstPush, Stopwatch.GetTimestamp(), 0);
            Interlocked.Increment(ref pushed);
            await PushAsync(client, key is null ? client.InputFor(seq) : client.InputForKey(key), json, () => retried.TryAdd(run.Id(index), true), ct).ConfigureAwait(false);
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
                var expected = Enumerable.Range(0, (int)Interlocked.Read(ref pushed)).Select(i => run.Id(i)).ToList();
                verification = run.PerKey
                    ? InvariantChecker.CheckPerKey(expected, watcher.ObservedIds, id => QueueLab.Ordering.OrderingKeys.SplitId(id).Key)
                    : InvariantChecker.Check(expected, watcher.Observed.Select(RunKeys.SeqId), VerificationOptions.Ordered);
                var scope = run.PerKey
                    ? $"pipeline B outputs as they came out, {expected.Count} messages over {Math.Min(KeysPerRun, expected.Count)} keys of the run"
                    : $"pipeline B output from position {outputStart} as it came out, seqs {first}..{first + expected.Count - 1}";
                return Invariants.ToResult(verification, scope
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

        var kill = killing is null ? null : await killing.ConfigureAwait(false);

        statsAfter = await TrySnapshotAsync(client).ConfigureAwait(false);
        var profile = statsBefore is not null && statsAfter is not null ? RedisProfile.Between(statsBefore, statsAfter) : null;
        var span = firstPush != 0 && watcher.LastOutputTimestamp > firstPush
            ? Stopwatch.GetElapsedTime(firstPush, watcher.LastOutputTimestamp)
            : TimeSpan.Zero;
        TimeSpan? pipelineSpan = watcher.FirstCreated is { } created && watcher.LastSequenced is { } sequenced ? sequenced - created : null;
        return new OrderedRunResult(result, pushed, span, pipelineSpan, profile, [.. retried.Keys.Order(StringComparer.Ordinal)], verification,
            kill, kill is { KilledAt: > 0 } ? watcher.LongestGapAfter(kill.KilledAt) : null);
    }

    /// <summary>The run's kill; a run that ended before it, or a lab that failed it, gives an outcome that says so.</summary>
    private static async Task<KillOutcome> KillAsync(KillPlan plan, LabConnections lab, OrderingProbe client, Func<long> firstPush, CancellationToken runEnded)
    {
        try
        {
            return await plan.RunAsync(lab, client, firstPush, runEnded).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (runEnded.IsCancellationRequested)
        {
            return new KillOutcome("?", [], 0, null, $"the run ended before {Fmt.Seconds(plan.After)} (make the run longer or the kill earlier)");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            return new KillOutcome("?", [], 0, null, ex.Message);
        }
    }

    /// <summary>Which message a run's invocation pushes: seq first + k, or per key seq k / K + 1 of key <c>{run}-{k mod K}</c>.</summary>
    private sealed class RunKeys(bool perKey, long first)
    {
        private readonly string _run = "run" + Guid.NewGuid().ToString("N")[..8] + "-";

        public bool PerKey => perKey;

        public (string? Key, long Seq) Message(long index) =>
            perKey ? (_run + (index % KeysPerRun).ToString(System.Globalization.CultureInfo.InvariantCulture), (index / KeysPerRun) + 1) : (null, first + index);

        public string Id(long index) => Message(index) is (string key, var seq) ? QueueLab.Ordering.OrderingKeys.IdOf(key, seq) : SeqId(first + index);

        public static string SeqId(long seq) => seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The invocation that pushed an output message, or -1 when it is not one of this run's.</summary>
        public long IndexOf(SequencedMessage message)
        {
            if (!perKey)
            {
                return message.Seq - first;
            }

            return message.Key is { } key && key.StartsWith(_run, StringComparison.Ordinal)
                && int.TryParse(key.AsSpan(_run.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k)
                ? ((message.Seq - 1) * KeysPerRun) + k
                : -1;
        }
    }

    /// <summary>
    /// RPUSH, retried with the same bytes until Redis takes it (a chaos run drops connections and restarts Redis): a seq
    /// that never reached the input would stall the sequencer for good, and a second byte-identical copy (when the first
    /// attempt did land but its reply was lost) is deduplicated by the pipeline. On Redis with replicas (the cluster
    /// topology), taken means a replica holds it too (<see cref="OrderingProbe.PushAsync"/>: the push and its WAIT on one connection): a push only the primary
    /// held would vanish with it in a failover.
    /// </summary>
    private static async Task PushAsync(OrderingProbe client, RedisKey input, string json, Action retrying, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await client.PushAsync(input, json, ReplicaAckTimeout).WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
            }

            retrying();
            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long a push waits for a replica's acknowledgement before it is sent again (Redis with replicas only).</summary>
    public static readonly TimeSpan ReplicaAckTimeout = TimeSpan.FromMilliseconds(500);

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
