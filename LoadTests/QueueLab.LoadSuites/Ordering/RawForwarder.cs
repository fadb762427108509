using System.Diagnostics;
using System.Text.Json;
using QueueLab.LoadSuites.Verification;
using QueueLab.Ordering.Contracts;
using QueueLab.Verification;
using StackExchange.Redis;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>The raw baseline's figures: messages moved, the time from the first push to the last output, and its verification.</summary>
public sealed record ForwarderResult(int Messages, TimeSpan Elapsed, QueueLab.LoadRunner.VerificationResult Verification)
{
    public double Throughput => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The overhead suite's raw baseline on the same Redis: one process, no processing. A producer RPUSHes the same
/// messages one by one (pipelined on its connection, like the suite's producer) while a forwarder on its own
/// connection moves them to an output list in order: LPOP with a count (up to 1000), then RPUSH of the whole batch,
/// not awaited before the next LPOP (one connection keeps the order; the pushes overlap the pops).
/// </summary>
public static class RawForwarder
{
    public const int BatchSize = 1000;

    /// <summary>
    /// The fewest messages the baseline moves, whatever the pipeline's run: long enough (about a second at the 200,000 to
    /// 400,000 msg/s this kind of machine forwards) to be a steady figure. With the pipeline's 20,000 it lasted 50-95 ms
    /// and gave 210,777 to 381,141 msg/s in four runs of one evening, which moved the ratio more than the pipeline did.
    /// </summary>
    public const int MinimumMessages = 200_000;

    /// <summary>
    /// Runs the baseline. <paramref name="measure"/>, if given, is called just before the first push and returns what to
    /// call once the last message is forwarded: a CPU profile covers the forwarding, not the connections or the check.
    /// </summary>
    public static async Task<ForwarderResult> RunAsync(string connectionString, int messages, CancellationToken cancellationToken, Func<Action>? measure = null)
    {
        // One hash tag for both lists: on a Redis Cluster they are on one shard (the forwarder deletes them together).
        var prefix = $"queuelab:loadtest:raw:{{{Guid.NewGuid():N}}}";
        RedisKey input = prefix + ":input";
        RedisKey output = prefix + ":output";
        await using var producerRedis = await ConnectionMultiplexer.ConnectAsync(connectionString).ConfigureAwait(false);
        await using var forwarderRedis = await ConnectionMultiplexer.ConnectAsync(connectionString).ConfigureAwait(false);
        var producer = producerRedis.GetDatabase();
        var forwarder = forwarderRedis.GetDatabase();
        try
        {
            var payload = new string('x', 64);
            var measured = measure?.Invoke();
            var clock = Stopwatch.StartNew();
            var forwarding = Task.Run(() => ForwardAsync(forwarder, input, output, messages, clock, cancellationToken), cancellationToken);
            var pushes = new Task[messages];
            for (var i = 0; i < messages; i++)
            {
                pushes[i] = producer.ListRightPushAsync(input, OrderingJson.Serialize(new OrderingMessage(i + 1, payload, DateTimeOffset.UtcNow)));
            }

            await Task.WhenAll(pushes).ConfigureAwait(false);
            var elapsed = await forwarding.ConfigureAwait(false);
            measured?.Invoke();

            var observed = new List<long>(messages);
            foreach (var value in await producer.ListRangeAsync(output).ConfigureAwait(false))
            {
                using var json = JsonDocument.Parse(value.ToString());
                observed.Add(json.RootElement.GetProperty("seq").GetInt64());
            }

            var report = InvariantChecker.Check(Enumerable.Range(1, messages).Select(i => (long)i).ToList(), observed, VerificationOptions.Ordered);
            return new ForwarderResult(messages, elapsed, Invariants.ToResult(report, "raw forwarder output"));
        }
        finally
        {
            await producer.KeyDeleteAsync([input, output]).ConfigureAwait(false);
        }
    }

    private static async Task<TimeSpan> ForwardAsync(IDatabase db, RedisKey input, RedisKey output, int messages, Stopwatch clock, CancellationToken cancellationToken)
    {
        var moved = 0;
        var pushes = new List<Task>();
        while (moved < messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await db.ListLeftPopAsync(input, BatchSize).ConfigureAwait(false);
            if (batch is null || batch.Length == 0)
            {
                await Task.Yield();
                continue;
            }

            pushes.Add(db.ListRightPushAsync(output, batch));
            moved += batch.Length;
        }

        await Task.WhenAll(pushes).ConfigureAwait(false);
        return clock.Elapsed;
    }
}
