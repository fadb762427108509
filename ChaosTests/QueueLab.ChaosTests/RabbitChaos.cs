using System.Net;
using System.Net.Http.Json;
using QueueLab.Lab.Faults.Servers;
using QueueLab.LoadRunner;
using QueueLab.LoadSuites.Rabbit;
using QueueLab.Rabbit;
using QueueLab.Testing;
using QueueLab.Verification;

namespace QueueLab.ChaosTests;

/// <summary>What a pipeline A chaos run found.</summary>
/// <param name="Invariants">Expected (message id, queue) pairs against the processing log's processed rows, exactly once.</param>
/// <param name="ReorderedPerQueue">Deliveries out of publish order, summed over the queues (pipeline A does not promise order: reported, not asserted).</param>
/// <param name="MissingFinalStates">Expected pairs with no final state stored.</param>
public sealed record RabbitChaosResult(
    int Phase, VerificationReport<QueuedMessage> Invariants, int ReorderedPerQueue, int MissingFinalStates,
    IReadOnlyList<(string Fault, DateTimeOffset At, RecoveryStats Recovery)> Faults, RunResult Run)
{
    public VerificationSummary Summary => Invariants.Summary;
}

/// <summary>What a fault schedule gets: the lab, and the run's published message ids so far.</summary>
public sealed class RabbitChaosContext(RabbitChaosFixture lab, string prefix, bool[] confirmed, Func<double, Task> waitProcessedShare)
{
    public RabbitChaosFixture Lab { get; } = lab;

    public string Prefix { get; } = prefix;

    /// <summary>Indices of the messages confirmed so far.</summary>
    public IReadOnlyList<int> Confirmed => [.. Enumerable.Range(0, confirmed.Length).Where(i => Volatile.Read(ref confirmed[i]))];

    /// <summary>Waits until this share of the run's expected (message, queue) pairs has been processed.</summary>
    public Task WaitProcessedShareAsync(double share) => waitProcessedShare(share);

    /// <summary>
    /// Publishes already confirmed messages again with the same id and body, as a publisher does when it retries after
    /// losing a confirm (the first copy had reached the broker; only the confirm was lost).
    /// </summary>
    public async Task<int> RepublishAsync(int count)
    {
        var chosen = Confirmed.Take(count).ToList();
        foreach (var index in chosen)
        {
            await RabbitChaos.PublishUntilConfirmedAsync(Lab.Publisher, Prefix, index, CancellationToken.None).ConfigureAwait(false);
        }

        return chosen.Count;
    }
}

/// <summary>
/// Pipeline A under faults, driven through the lab's own publisher service (its HTTP API; it retries unconfirmed
/// publishes itself, and this client publishes again whatever the publisher could not confirm, so every message is
/// published at least once). Afterwards the processing log is checked exactly once per routed queue, and every final
/// state must be stored.
/// </summary>
public static class RabbitChaos
{
    public const double Rate = 100;

    public static async Task<RabbitChaosResult> RunAsync(
        RabbitChaosFixture lab, string scenario, Func<RabbitChaosContext, Task<string>> faults, int messages = 500, double faultAfterShare = 0.3,
        double rate = Rate)
    {
        var prefix = $"ch{Guid.NewGuid():N}"[..14];
        var confirmed = new bool[messages];
        var expectedPairs = Enumerable.Range(0, messages).Sum(i => RabbitSettings.QueuesFor(i).Count);
        var injected = new List<(string, DateTimeOffset)>();

        async Task WaitShareAsync(double share) =>
            await Poll.UntilAsync(async () => await lab.Probe.LogCountAsync(MessageIdPattern.StartingWith(prefix + "-"), RabbitProbe.ProcessedOutcomes).ConfigureAwait(false) >= share * expectedPairs,
                TimeSpan.FromSeconds(120), $"{share:P0} of the run is processed").ConfigureAwait(false);

        var context = new RabbitChaosContext(lab, prefix, confirmed, WaitShareAsync);
        var scenarioDefinition = Scenario.Create(scenario, async (ctx, ct) =>
        {
            var index = (int)ctx.InvocationNumber;
            await PublishUntilConfirmedAsync(lab.Publisher, prefix, index, ct).ConfigureAwait(false);
            Volatile.Write(ref confirmed[index], true);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.IterationsForInject(rate, TimeSpan.FromSeconds(1), messages));

        var faultTask = Task.Run(async () =>
        {
            await WaitShareAsync(faultAfterShare).ConfigureAwait(false);
            var at = DateTimeOffset.UtcNow;
            var what = await faults(context).ConfigureAwait(false);
            lock (injected)
            {
                injected.Add((what, at));
            }
        });

        var run = await ScenarioRunner.RunAsync(scenarioDefinition, new RunOptions
        {
            MaxConcurrency = messages + 1,
            DrainTimeout = TimeSpan.FromSeconds(180),
            Progress = ProgressMode.None,
            Output = TextWriter.Null,
        }, CancellationToken.None).ConfigureAwait(false);
        await faultTask.ConfigureAwait(false);

        var expected = Enumerable.Range(0, messages).Where(i => confirmed[i])
            .SelectMany(i => RabbitSettings.QueuesFor(i).Select(q => new QueuedMessage($"{prefix}-{i}", q))).ToList();

        // Done when every final state is stored and the log has stopped growing (a late redelivery would still show).
        var lastCount = -1L;
        var stableSince = DateTime.UtcNow;
        try
        {
            await Poll.UntilAsync(async () =>
        {
            var count = await lab.Probe.LogCountAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false);
            if (count != lastCount)
            {
                lastCount = count;
                stableSince = DateTime.UtcNow;
            }

            return await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false) >= expected.Count && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(2);
        }, TimeSpan.FromSeconds(180), "every final state is stored and the processing log is quiet", TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} {await DescribeMissingAsync(lab, prefix, expected).ConfigureAwait(false)}", ex);
        }

        var rows = await lab.Probe.ProcessedAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false);
        var observed = rows.Select(r => r.Pair).ToList();
        var report = InvariantChecker.Check(expected, observed, VerificationOptions.ExactlyOnce);
        var reordered = expected.GroupBy(p => p.Queue).Sum(queue =>
        {
            var seen = observed.Where(p => p.Queue == queue.Key).Distinct().ToList();
            return InvariantChecker.Check(queue.ToList(), seen, VerificationOptions.Ordered).Summary.Reordered;
        });
        var stored = (await lab.Probe.FinalStatesAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false)).ToHashSet();
        var missing = expected.Count(p => !stored.Contains(p));

        var times = rows.Select(r => r.LoggedAt).ToList();
        var end = times.Count > 0 ? times.Max() : DateTimeOffset.UtcNow;
        var pairRate = rate * expectedPairs / messages;
        var recoveries = injected.Select(f => (f.Item1, f.Item2, Recovery.Analyze(times, f.Item2, TimeSpan.FromSeconds(1), pairRate, end, OrderedChaos.LoadEnd(run)))).ToList();
        var label = $"A phase {lab.Phase}: {scenario}";
        foreach (var (fault, _, recovery) in recoveries)
        {
            ChaosLog.Scenario(label, fault, report.Summary, recovery, $"reordered per queue {reordered} (not promised), final states missing {missing}");
        }

        return new RabbitChaosResult(lab.Phase, report, reordered, missing, recoveries, run);
    }

    /// <summary>For a run that did not finish: the first pairs with no final state, what the log says of each, and
    /// whether a processing key still holds it (and for how long).</summary>
    private static async Task<string> DescribeMissingAsync(RabbitChaosFixture lab, string prefix, IReadOnlyList<QueuedMessage> expected)
    {
        var stored = (await lab.Probe.FinalStatesAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false)).ToHashSet();
        var missing = expected.Where(p => !stored.Contains(p)).ToList();
        var lines = new List<string> { $"{missing.Count} pairs have no final state" };
        foreach (var pair in missing.Take(5))
        {
            var outcomes = (await lab.Probe.OutcomesAsync(pair).ConfigureAwait(false)).Select(o => $"{o.Key} x{o.Value}");
            var key = ProcessingKeys.For(pair.Queue, pair.MessageId, StateTransitions.Validate.Current);
            var holder = await lab.Redis.StringGetAsync(key).ConfigureAwait(false);
            var ttl = await lab.Redis.KeyTimeToLiveAsync(key).ConfigureAwait(false);
            lines.Add($"{pair.MessageId} on {pair.Queue}: log [{string.Join(", ", outcomes)}], key {(holder.IsNull ? "free" : $"held by {holder} for {ttl?.TotalMilliseconds:0} ms more")}");
        }

        var queues = await RabbitAdmin.QueuesAsync(lab.GetResource(ResourceNames.Messaging),
            await lab.GetConnectionStringAsync(ResourceNames.Messaging).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
        lines.Add("queues (ready/unacked/dead-lettered pending/consumers): " + string.Join(", ", queues.Where(q => q.Key.StartsWith("queue-", StringComparison.Ordinal))
            .Select(q => $"{q.Key} {q.Value.Ready}/{q.Value.Unacknowledged}/{q.Value.DeadLetteredPending}/{q.Value.Consumers}")));
        return string.Join("; ", lines);
    }

    /// <summary>Message <paramref name="index"/> of a run: direct, topic and fanout in turn, the same id and body every time.</summary>
    public static async Task PublishUntilConfirmedAsync(HttpClient publisher, string prefix, int index, CancellationToken cancellationToken)
    {
        var (exchange, routingKey) = RabbitSettings.Route(index);
        var request = new { exchange, routingKey, messageId = $"{prefix}-{index}", payload = "chaos" };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            try
            {
                using var response = await publisher.PostAsJsonAsync("/messages", request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
                {
                    throw new InvalidOperationException($"The publisher refused {prefix}-{index}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The publisher is restarting or its broker is away: publish again.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                // An HTTP timeout: the outcome is unknown, so publish again (the consumers deduplicate by id).
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{prefix}-{index} was not confirmed within 3 minutes.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a probe and waits for its final state: the pipeline works end to end.</summary>
    public static async Task WaitFlowingAsync(RabbitChaosFixture lab)
    {
        var prefix = $"probe{Guid.NewGuid():N}"[..14];
        await PublishUntilConfirmedAsync(lab.Publisher, prefix, 0, CancellationToken.None).ConfigureAwait(false);
        await Poll.UntilAsync(async () => await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix + "-")).ConfigureAwait(false) >= 1,
            TimeSpan.FromSeconds(120), "a probe message reaches its final state").ConfigureAwait(false);
    }
}
