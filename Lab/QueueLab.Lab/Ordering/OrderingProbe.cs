using System.Globalization;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;
using QueueLab.Verification;
using StackExchange.Redis;

namespace QueueLab.Lab.Ordering;

/// <summary>
/// Pipeline B as the lab layer reads it from Redis (keys from <see cref="OrderingKeys"/>): readiness, where a run begins,
/// the output, the dead letters, the invariant check of the whole output, the leader, and where every message is. The one
/// place where the suites, the dashboard's commands and the tests read pipeline B's state.
/// </summary>
public sealed class OrderingProbe : IAsyncDisposable
{
    private const int Chunk = 10_000;

    private OrderingProbe(ConnectionMultiplexer redis, OrderingKeys keys)
    {
        Redis = redis;
        Db = redis.GetDatabase();
        Keys = keys;
    }

    public ConnectionMultiplexer Redis { get; }

    public IDatabase Db { get; }

    public OrderingKeys Keys { get; }

    public static async Task<OrderingProbe> ConnectAsync(string connectionString, OrderingKeys? keys = null, string clientName = "queuelab-lab")
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.ClientName = clientName;
        options.AbortOnConnectFail = false;
        // INFO commandstats (the load suites' Redis profile) is an admin command for the client library.
        options.AllowAdmin = true;
        return new OrderingProbe(await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false), keys ?? OrderingKeys.Default);
    }

    /// <summary>Healthy is not yet working: waits until <paramref name="processors"/> processors registered and a sequencer leads.</summary>
    public Task WaitReadyAsync(int processors, TimeSpan timeout, int sequencers = 1, CancellationToken cancellationToken = default) =>
        Poll.UntilAsync(async () => await Db.SetLengthAsync(Keys.Processors).ConfigureAwait(false) >= processors
                && await Db.KeyExistsAsync(Keys.SequencerLock).ConfigureAwait(false)
                && await ReadySequencersAsync().ConfigureAwait(false) >= sequencers,
            timeout, $"{processors} processors are registered, a sequencer leads and {sequencers} are up and ready to", cancellationToken: cancellationToken);

    /// <summary>Every sequencer token in <c>sequencers</c> with until when it said it is ready (a killed one's entry stays
    /// until that time runs out).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> SequencerAnnouncementsAsync() =>
        (await Db.SortedSetRangeByScoreWithScoresAsync(Keys.Sequencers).ConfigureAwait(false))
        .ToDictionary(e => e.Element.ToString(), e => DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score));

    /// <summary>
    /// Waits until the sequencer process of <paramref name="instanceId"/> (an Aspire instance id, <c>sequencer-abcd1234</c>)
    /// started after <paramref name="startedAfter"/> says it is ready to lead: an announcement made after that time, which a
    /// killed process's lingering entry cannot be.
    /// </summary>
    public Task WaitSequencerReadyAsync(string instanceId, DateTimeOffset startedAfter, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        var prefix = instanceId[(instanceId.LastIndexOf('-') + 1)..] + ":";
        return Poll.UntilAsync(async () => (await SequencerAnnouncementsAsync().ConfigureAwait(false))
                .Any(a => a.Key.StartsWith(prefix, StringComparison.Ordinal) && a.Value > startedAfter + AnnouncementValidity),
            timeout, $"{instanceId} is up and ready to lead", cancellationToken: cancellationToken);
    }

    /// <summary>How long a sequencer's announcement holds (it says "ready for the next 3 s" every second).</summary>
    public static readonly TimeSpan AnnouncementValidity = TimeSpan.FromSeconds(3);

    /// <summary>How many sequencers say they are up and ready to lead (the leader and the standbys).</summary>
    public async Task<long> ReadySequencersAsync() =>
        await Db.SortedSetLengthAsync(Keys.Sequencers, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);

    /// <summary>Whether nothing is on its way: the input, every in-flight list, the quarantine and the reorder buffer are empty.</summary>
    public async Task<bool> IdleAsync() =>
        await BacklogAsync().ConfigureAwait(false) is { Input: 0, InFlight: 0, Quarantine: 0, ReorderBuffer: 0 };

    /// <summary>Where the messages pushed and not yet passed are (what the sequencer's backlog gauges report).</summary>
    public Task<OrderingBacklog> BacklogAsync() => OrderingAdmin.BacklogAsync(Db, Keys);

    public Task WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Poll.UntilAsync(IdleAsync, timeout, "nothing is left in pipeline B's input, in flight, quarantined or in the reorder buffer",
            TimeSpan.FromMilliseconds(50), cancellationToken);

    /// <summary>Waits until the pipeline is idle; returns the next seq the sequencer expects and the output's length: a run
    /// pushes seqs from there and reads the output from there.</summary>
    public async Task<(long FirstSeq, long OutputStart)> BeginAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await WaitIdleAsync(timeout, cancellationToken).ConfigureAwait(false);
        return (await NextSeqAsync().ConfigureAwait(false), await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false));
    }

    /// <summary>The next seq the sequencer waits for (1 when it has passed none).</summary>
    public async Task<long> NextSeqAsync()
    {
        var next = await Db.StringGetAsync(Keys.NextSeq).ConfigureAwait(false);
        return next.IsNull ? 1 : (long)next;
    }

    /// <summary>Messages taken by processors and not finished, over every registered processor.</summary>
    public async Task<long> InFlightAsync() => (await BacklogAsync().ConfigureAwait(false)).InFlight;

    public Task PushAsync(IEnumerable<RedisValue> messages) => Db.ListRightPushAsync(Keys.Input, [.. messages]);

    /// <summary>The output messages from index <paramref name="start"/> on, in output order.</summary>
    public async Task<IReadOnlyList<SequencedMessage>> OutputAsync(long start = 0)
    {
        var messages = new List<SequencedMessage>();
        for (var from = start; ; from += Chunk)
        {
            var values = await Db.ListRangeAsync(Keys.Output, from, from + Chunk - 1).ConfigureAwait(false);
            messages.AddRange(values.Select(v => OrderingJson.DeserializeOutput(v!)));
            if (values.Length < Chunk)
            {
                return messages;
            }
        }
    }

    /// <summary>The seqs in the output from index <paramref name="start"/> on, in output order.</summary>
    public async Task<IReadOnlyList<long>> OutputSeqsAsync(long start = 0) => [.. (await OutputAsync(start).ConfigureAwait(false)).Select(m => m.Seq)];

    /// <summary>Waits until <paramref name="count"/> messages follow index <paramref name="start"/> in the output and returns them.</summary>
    public async Task<IReadOnlyList<SequencedMessage>> WaitForOutputAsync(long start, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await Poll.UntilAsync(async () => await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false) >= start + count,
            timeout, $"{count} messages reach the output", TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        return await OutputAsync(start).ConfigureAwait(false);
    }

    /// <summary>The dead-letter entries from index <paramref name="start"/> on.</summary>
    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(long start = 0) =>
        [.. (await Db.ListRangeAsync(Keys.DeadLetter, start, -1).ConfigureAwait(false)).Select(v => OrderingJson.DeserializeDeadLetter(v!))];

    /// <summary>The instance id of the sequencer that holds the lock (its token is <c>{instance}:{random}</c>), or null.</summary>
    public async Task<string?> LeaderAsync()
    {
        var token = await Db.StringGetAsync(Keys.SequencerLock).ConfigureAwait(false);
        if (token.IsNullOrEmpty)
        {
            return null;
        }

        var text = token.ToString();
        var colon = text.LastIndexOf(':');
        return colon > 0 ? text[..colon] : text;
    }

    /// <summary>The invariant check of the whole output: every seq the sequencer passed (from the oldest the output still
    /// holds) is there once, in order, the skipped ones excepted.</summary>
    public async Task<OrderingCheck> CheckAsync()
    {
        var next = await NextSeqAsync().ConfigureAwait(false);
        var observed = await OutputSeqsAsync().ConfigureAwait(false);
        var trimmed = await Db.StringGetAsync(Keys.OutputTrimmedTo).ConfigureAwait(false);
        var firstKept = trimmed.IsNull ? 1 : (long)trimmed;
        var skipped = (await Db.HashKeysAsync(Keys.Skipped).ConfigureAwait(false))
            .Select(k => long.Parse(k.ToString(), CultureInfo.InvariantCulture)).Where(s => s >= firstKept && s < next).ToList();
        var expected = Enumerable.Range(0, (int)Math.Max(0, next - firstKept)).Select(i => firstKept + i);
        var report = InvariantChecker.Check(expected, observed, VerificationOptions.Ordered, skipped);
        return new OrderingCheck(report, next, firstKept,
            await Db.ListLengthAsync(Keys.Input).ConfigureAwait(false),
            await InFlightAsync().ConfigureAwait(false),
            await Db.HashLengthAsync(Keys.ReorderBuffer).ConfigureAwait(false),
            await Db.ListLengthAsync(Keys.DeadLetter).ConfigureAwait(false));
    }

    /// <summary>Clears pipeline B's data in one atomic step (<see cref="OrderingAdmin.ClearAsync"/>).</summary>
    public Task<ClearResult> ClearAsync() => OrderingAdmin.ClearAsync(Db, Keys);

    /// <summary>Where pipeline B's messages are (for a failed run's message): input, in flight per processor, results,
    /// reorder buffer, the sequencer's position and lock, the processors registered and alive.</summary>
    public async Task<string> DescribeAsync()
    {
        try
        {
            var processors = new List<string>();
            foreach (var id in (await Db.SetMembersAsync(Keys.Processors).ConfigureAwait(false)).Select(v => v.ToString()))
            {
                processors.Add($"{id}: {await Db.ListLengthAsync(Keys.InFlight(id)).ConfigureAwait(false)} in flight, " +
                               $"heartbeat {(await Db.KeyExistsAsync(Keys.Heartbeat(id)).ConfigureAwait(false) ? "alive" : "missing")}");
            }

            return $"input {await Db.ListLengthAsync(Keys.Input).ConfigureAwait(false)}, results {await Db.StreamLengthAsync(Keys.Results).ConfigureAwait(false)}, " +
                   $"reorder buffer {await Db.HashLengthAsync(Keys.ReorderBuffer).ConfigureAwait(false)}, next seq {await NextSeqAsync().ConfigureAwait(false)}, " +
                   $"output {await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false)}, dead letters {await Db.ListLengthAsync(Keys.DeadLetter).ConfigureAwait(false)}, " +
                   $"quarantine {await Db.ListLengthAsync(Keys.Quarantine).ConfigureAwait(false)}, lock {await Db.StringGetAsync(Keys.SequencerLock).ConfigureAwait(false)}, " +
                   $"processors [{string.Join("; ", processors)}]";
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return $"unreadable: {ex.Message}";
        }
    }

    public async ValueTask DisposeAsync() => await Redis.DisposeAsync().ConfigureAwait(false);
}
