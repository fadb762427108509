using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Ordering;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;
using QueueLab.Testing;
using QueueLab.Verification;

namespace QueueLab.ChaosTests;

/// <summary>What a pipeline B chaos run found: the invariants over its output, and how the output recovered from each fault.</summary>
public sealed record OrderedChaosResult(
    VerificationReport<string> Invariants, IReadOnlyList<(string Fault, DateTimeOffset At, RecoveryStats Recovery)> Faults, RunResult Run)
{
    /// <summary>Pipeline B's state when the invariants failed (null when they held).</summary>
    public string? State { get; init; }

    /// <summary>The ids (the seq; per key <c>key#seq</c>) the load pushed again after an error (their identical second copy
    /// may be dead-lettered as <c>duplicate-seq</c>, by the pipeline's contract).</summary>
    public IReadOnlyCollection<string> RetriedPushes { get; init; } = [];

    /// <summary>What the sequencers logged during the run (each line with the time it arrived), for a stall's message.</summary>
    public IReadOnlyList<string> SequencerLog { get; init; } = [];

    /// <summary>The worst stall over all faults of the run.</summary>
    public TimeSpan LongestStall => Faults.Count == 0 ? TimeSpan.Zero : Faults.Max(f => f.Recovery.LongestStall);
}

/// <summary>
/// Pipeline B under a fault: the load runner injects <c>messages</c> at <c>rate</c> per second (the ordered suites'
/// scenario: seq k pushed, completed when it is in the output), the faults run alongside once a share of the output is
/// out, and afterwards the invariant checker reads the whole output of the run; recovery is measured from the
/// sequencer's timestamps in the output.
/// </summary>
public static class OrderedChaos
{
    public const double Rate = 100;

    public static Task<OrderedChaosResult> RunAsync(
        OrderingChaosFixture lab, string scenario, Func<DateTimeOffset, Task<string>> fault, int messages = 600, double startAfterShare = 0.3) =>
        RunAsync(lab, scenario, async (FaultMarks marks) =>
        {
            var at = DateTimeOffset.UtcNow;
            marks.Add(await fault(at).ConfigureAwait(false), at);
        }, messages, startAfterShare);

    /// <summary>A schedule of several faults: each records its own time through <see cref="FaultMarks.Add"/>.</summary>
    public static async Task<OrderedChaosResult> RunAsync(
        OrderingChaosFixture lab, string scenario, Func<FaultMarks, Task> faults, int messages = 600, double startAfterShare = 0.3)
    {
        var client = lab.Client;
        var began = DateTimeOffset.UtcNow;
        var (first, outputStart) = await client.BeginAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        // Per key: where every partition's output ends now (the run's messages come after).
        var keyed = client.PerKey ? await KeyedOutputReader.StartAsync(client.Db, client.Partitions).ConfigureAwait(false) : null;
        var injected = new FaultMarks();
        var options = new SuiteOptions { Suite = "chaos", Progress = ProgressMode.None, Output = TextWriter.Null };
        var simulation = Simulation.IterationsForInject(Rate, TimeSpan.FromSeconds(1), messages);

        async Task Alongside(CancellationToken stop)
        {
            var threshold = outputStart + (long)(messages * startAfterShare);
            await Poll.UntilAsync(async () => await client.OutputLengthAsync().ConfigureAwait(false) >= threshold,
                TimeSpan.FromSeconds(60), $"{startAfterShare:P0} of the run is out before the fault", cancellationToken: stop).ConfigureAwait(false);
            // The faults run to the end even when the run completes meanwhile: a server must not be left half restarted.
            await faults(injected).ConfigureAwait(false);
        }

        var run = await OrderedRun.RunAsync(client, scenario, simulation, options, TimeSpan.FromSeconds(120), Alongside, CancellationToken.None)
            .ConfigureAwait(false);

        VerificationReport<string> report;
        List<List<DateTimeOffset>> timelines;
        if (keyed is not null)
        {
            // Per key: the run's own check of every key's order, and one timeline per partition (a failed-over partition
            // holds back only its own keys: the stall is the longest of any partition's).
            report = run.Verification ?? throw new InvalidOperationException("The per-key run did not verify its output.");
            var output = new List<SequencedMessage>();
            for (var values = await keyed.ReadAsync(10_000).ConfigureAwait(false); values.Length > 0; values = await keyed.ReadAsync(10_000).ConfigureAwait(false))
            {
                output.AddRange(values.Select(v => OrderingJson.DeserializeOutput(v!)).Where(m => m.Key is not null));
            }

            timelines = [.. output.GroupBy(m => OrderingKeys.PartitionOfKey(m.Key!, client.Partitions.Count)).Select(g => Readable(g))];
        }
        else
        {
            // Partitioned, the global order by the documented reading rule.
            var output = await client.OutputAsync(outputStart).ConfigureAwait(false);
            var expected = Enumerable.Range(0, messages).Select(i => (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            report = InvariantChecker.Check(expected, output.Select(m => m.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)), VerificationOptions.Ordered);
            timelines = [Readable(output)];
        }

        var end = timelines.SelectMany(t => t).DefaultIfEmpty(DateTimeOffset.UtcNow).Max();
        var marks = injected.All.OrderBy(f => f.At).ToList();
        var recoveries = marks.Select((f, i) => (f.What, f.At,
            timelines.DefaultIfEmpty([]).Select(times => Recovery.Analyze(times, f.At, TimeSpan.FromSeconds(1), Rate / timelines.Count,
                i + 1 < marks.Count ? marks[i + 1].At : end, LoadEnd(run.Result))).MaxBy(r => r.LongestStall)!)).ToList();
        foreach (var (fault, _, recovery) in recoveries)
        {
            ChaosLog.Scenario("B: " + scenario, fault, report.Summary, recovery,
                run.RetriedPushes.Count > 0 ? $"{run.RetriedPushes.Count} pushes sent again after an error" : null);
        }

        if (recoveries.Count == 0)
        {
            ChaosLog.Scenario("B: " + scenario, "(no fault injected)", report.Summary, null);
        }

        var state = report.Passed ? null : await DescribeStateAsync(lab).ConfigureAwait(false);
        if (state is not null)
        {
            ChaosLog.Write($"pipeline B state after the failed run: {state}");
        }

        return new OrderedChaosResult(report, recoveries, run.Result) { State = state, RetriedPushes = run.RetriedPushes, SequencerLog = lab.SequencerLogs.Since(began) };
    }

    /// <summary>
    /// When each entry became readable, in output order: a global-order reader takes it only once every earlier seq is
    /// decided, so at the latest sequencedAt up to it (partitioned, a failed-over partition holds back the others' later
    /// seqs; in one list, sequencedAt only grows along it anyway, but for two leaders' clocks).
    /// </summary>
    private static List<DateTimeOffset> Readable(IEnumerable<SequencedMessage> output)
    {
        var times = new List<DateTimeOffset>();
        foreach (var m in output)
        {
            times.Add(times.Count > 0 && times[^1] > m.SequencedAt ? times[^1] : m.SequencedAt);
        }

        return times;
    }

    /// <summary>Where pipeline B's messages are, and the state of its replicas (for a failed run's message).</summary>
    public static async Task<string> DescribeStateAsync(OrderingChaosFixture lab) =>
        $"{await lab.Client.DescribeAsync().ConfigureAwait(false)}, replicas " +
        string.Join(", ", lab.Faults.Resources.Replicas(ResourceNames.Processor).Concat(lab.Faults.Resources.Replicas(ResourceNames.Sequencer)));

    /// <summary>When the run's schedule stopped sending.</summary>
    public static DateTimeOffset LoadEnd(RunResult run) => run.StartedAt + run.ScheduledDuration;
}

/// <summary>The faults a schedule injected, each with the moment it began.</summary>
public sealed class FaultMarks
{
    private readonly List<(string What, DateTimeOffset At)> _marks = [];

    public IReadOnlyList<(string What, DateTimeOffset At)> All
    {
        get
        {
            lock (_marks)
            {
                return [.. _marks];
            }
        }
    }

    public void Add(string what, DateTimeOffset at)
    {
        lock (_marks)
        {
            _marks.Add((what, at));
        }
    }
}
