using System.Globalization;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
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

    private OrderingProbe(ConnectionMultiplexer redis, OrderingKeys keys, int partitions, OrderingMode mode, bool replicated)
    {
        Replicated = replicated;
        Redis = redis;
        Db = redis.GetDatabase();
        Partitions = OrderingKeys.Partitioned(keys.Prefix, partitions, mode);
        Keys = Partitions[0];
    }

    /// <summary>What order the pipeline keeps (<c>QueueLab:Ordering:Mode</c>).</summary>
    public OrderingMode Mode => Keys.Mode;

    public bool PerKey => Keys.PerKey;

    /// <summary>
    /// Whether Redis runs as a primary with replicas behind Sentinels (the cluster topology: the connection string names a
    /// <c>serviceName</c>). Replication is asynchronous there: a push only the primary holds is lost if the primary dies before
    /// a replica has it and a replica is promoted, so a producer counts a push as accepted once <see cref="PushAsync"/> says so.
    /// </summary>
    public bool Replicated { get; }

    /// <summary>
    /// A producer's push: RPUSH of <paramref name="message"/> to <paramref name="input"/>, counted as accepted (true) once it
    /// is safe. On a single Redis, once Redis took it. With replicas (<see cref="Replicated"/>), once a replica holds it:
    /// the RPUSH and a <c>WAIT 1 timeout</c> go down one connection to one primary, between two <c>CLIENT ID</c>s that must
    /// agree. <c>WAIT</c> counts only the writes of the connection it runs on, so the push and the wait must share one: a
    /// client that follows the failover can see two primaries for a while (a frozen primary the Sentinels replaced answers as
    /// one again when it is continued, until they convert it), and a push to the old one acknowledged by a wait on the new
    /// one would be lost with the old one; a reconnect between them would likewise let the wait count nothing. False:
    /// push again (a byte-identical copy of a seq already taken is dead-lettered as <c>duplicate-seq</c>, by the pipeline's
    /// contract).
    /// </summary>
    public async Task<bool> PushAsync(RedisKey input, RedisValue message, TimeSpan timeout)
    {
        if (!Replicated)
        {
            await Db.ListRightPushAsync(input, message).ConfigureAwait(false);
            return true;
        }

        var primaries = Redis.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToList();
        if (primaries.Count == 0)
        {
            return false;
        }

        // When the client sees two primaries, either may be the one the Sentinels chose: keep to the one that last acknowledged
        // a push, and after a push it did not acknowledge try another at random. (A WAIT holds its connection for up to its
        // timeout, so every push sent to a primary cut off from its replicas would queue behind the others' waits.)
        var server = primaries.FirstOrDefault(s => Equals(s.EndPoint, _acknowledging)) ?? primaries[Random.Shared.Next(primaries.Count)];
        var before = server.ExecuteAsync("CLIENT", "ID");
        var push = server.ExecuteAsync("RPUSH", input, message);
        var wait = server.ExecuteAsync("WAIT", 1, (long)timeout.TotalMilliseconds);
        var after = server.ExecuteAsync("CLIENT", "ID");
        try
        {
            await Task.WhenAll(before, push, wait, after).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.CompareExchange(ref _acknowledging, null, server.EndPoint);
            throw;
        }

        var acknowledged = (long)await before.ConfigureAwait(false) == (long)await after.ConfigureAwait(false) && (long)await wait.ConfigureAwait(false) >= 1;
        if (acknowledged)
        {
            _acknowledging = server.EndPoint;
        }
        else
        {
            Interlocked.CompareExchange(ref _acknowledging, null, server.EndPoint);
        }

        return acknowledged;
    }

    /// <summary>The primary that acknowledged the latest push (with replicas), which the next push goes to first.</summary>
    private System.Net.EndPoint? _acknowledging;

    public ConnectionMultiplexer Redis { get; }

    public IDatabase Db { get; }

    /// <summary>The keys of partition 0 (unpartitioned: the pipeline's keys).</summary>
    public OrderingKeys Keys { get; }

    /// <summary>Every partition's keys (one set, <see cref="Keys"/>, when unpartitioned).</summary>
    public IReadOnlyList<OrderingKeys> Partitions { get; }

    /// <summary>The keys every partition shares (the sequencers' announcements).</summary>
    public OrderingKeys Shared => Keys.Shared;

    public bool Partitioned => Partitions.Count > 1;

    /// <param name="partitions">Pipeline B's partitions (<c>QueueLab:Ordering:Partitions</c>): the probe pushes each seq to
    /// its partition's input and reads the output in global order by the documented rule (<see cref="GlobalOutputReader"/>).</param>
    /// <param name="mode">What order the pipeline keeps: per key, messages go to their key's partition and the checks are per key.</param>
    public static async Task<OrderingProbe> ConnectAsync(string connectionString, OrderingKeys? keys = null, string clientName = "queuelab-lab", int partitions = 1,
        OrderingMode mode = OrderingMode.Global)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.ClientName = clientName;
        options.AbortOnConnectFail = false;
        // INFO commandstats (the load suites' Redis profile) is an admin command for the client library.
        options.AllowAdmin = true;
        return new OrderingProbe(await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false), keys ?? OrderingKeys.Default, partitions, mode,
            replicated: !string.IsNullOrEmpty(options.ServiceName));
    }

    /// <summary>Healthy is not yet working: waits until <paramref name="processors"/> processors registered and a sequencer
    /// leads, in every partition.</summary>
    public Task WaitReadyAsync(int processors, TimeSpan timeout, int sequencers = 1, CancellationToken cancellationToken = default) =>
        Poll.UntilAsync(async () => await AllPartitionsAsync(async k => await Db.SetLengthAsync(k.Processors).ConfigureAwait(false) >= processors
                    && await Db.KeyExistsAsync(k.SequencerLock).ConfigureAwait(false)).ConfigureAwait(false)
                && await ReadySequencersAsync().ConfigureAwait(false) >= sequencers,
            timeout, $"{processors} processors are registered, a sequencer leads {(Partitioned ? $"each of {Partitions.Count} partitions" : "")} and {sequencers} are up and ready to",
            cancellationToken: cancellationToken);

    private async Task<bool> AllPartitionsAsync(Func<OrderingKeys, Task<bool>> condition)
    {
        foreach (var keys in Partitions)
        {
            if (!await condition(keys).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every sequencer token in <c>sequencers</c> with until when it said it is ready (a killed one's entry stays
    /// until that time runs out).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> SequencerAnnouncementsAsync() =>
        (await Db.SortedSetRangeByScoreWithScoresAsync(Shared.Sequencers).ConfigureAwait(false))
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
        await Db.SortedSetLengthAsync(Shared.Sequencers, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);

    /// <summary>Whether nothing is on its way: the input, every in-flight list, the quarantine and the reorder buffer are empty.</summary>
    public async Task<bool> IdleAsync() =>
        await BacklogAsync().ConfigureAwait(false) is { Input: 0, InFlight: 0, Quarantine: 0, ReorderBuffer: 0 };

    /// <summary>Where the messages pushed and not yet passed are (what the sequencer's backlog gauges report).</summary>
    public Task<OrderingBacklog> BacklogAsync() => OrderingAdmin.BacklogAsync(Db, Partitions);

    public Task WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Poll.UntilAsync(IdleAsync, timeout, "nothing is left in pipeline B's input, in flight, quarantined or in the reorder buffer",
            TimeSpan.FromMilliseconds(50), cancellationToken);

    /// <summary>Waits until the pipeline is idle; returns the next seq the sequencer expects and the output's length: a run
    /// pushes seqs from there and reads the output from there.</summary>
    public async Task<(long FirstSeq, long OutputStart)> BeginAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await WaitIdleAsync(timeout, cancellationToken).ConfigureAwait(false);
        return (await NextSeqAsync().ConfigureAwait(false), await OutputLengthAsync().ConfigureAwait(false));
    }

    /// <summary>The next seq the sequencer waits for (1 when it has passed none); partitioned, the smallest seq some
    /// partition still waits for (every seq below it is decided).</summary>
    public Task<long> NextSeqAsync() => GlobalOutputReader.WatermarkAsync(Db, Partitions);

    /// <summary>How many entries the output holds (every partition's, added up).</summary>
    public Task<long> OutputLengthAsync() => SumAsync(k => Db.ListLengthAsync(k.Output));

    /// <summary>A count over every partition's keys, added up.</summary>
    private async Task<long> SumAsync(Func<OrderingKeys, Task<long>> count)
    {
        long sum = 0;
        foreach (var keys in Partitions)
        {
            sum += await count(keys).ConfigureAwait(false);
        }

        return sum;
    }

    /// <summary>How many messages wait in the input (every partition's, added up).</summary>
    public Task<long> InputLengthAsync() => SumAsync(k => Db.ListLengthAsync(k.Input));

    /// <summary>A reader of the output in global order, after seq <paramref name="lastSeq"/> (<see cref="GlobalOutputReader"/>;
    /// unpartitioned, <paramref name="indexHint"/> is where the next entry is expected in the output).</summary>
    /// <remarks>Per key, a reader of every partition's output from its end now, keys interleaved (<see cref="KeyedOutputReader"/>).</remarks>
    public async Task<IOutputReader> OutputReaderAsync(long lastSeq, long indexHint) => PerKey
        ? await KeyedOutputReader.StartAsync(Db, Partitions).ConfigureAwait(false)
        : await GlobalOutputReader.StartAsync(Db, Partitions, lastSeq, indexHint).ConfigureAwait(false);

    /// <summary>The input seq <paramref name="seq"/> is pushed to (its partition's).</summary>
    public RedisKey InputFor(long seq) => Partitions[OrderingKeys.PartitionOf(seq, Partitions.Count)].Input;

    /// <summary>The input a raw message goes to: its seq's partition's, or partition 0's when it has no readable seq (that
    /// partition dead-letters it).</summary>
    public RedisKey InputFor(RedisValue raw)
    {
        if (!Partitioned)
        {
            return Keys.Input;
        }

        var parsed = MessageParser.Parse((byte[])raw!, ParserLimits.Default with { Mode = Mode });
        return PerKey ? parsed.Key is { } key ? InputForKey(key) : Keys.Input
            : parsed.Seq is long seq ? InputFor(seq) : Keys.Input;
    }

    /// <summary>The input a per-key message of key <paramref name="key"/> is pushed to (its key's partition's).</summary>
    public RedisKey InputForKey(string key) => Partitions[OrderingKeys.PartitionOfKey(key, Partitions.Count)].Input;

    /// <summary>Messages taken by processors and not finished, over every registered processor.</summary>
    public async Task<long> InFlightAsync() => (await BacklogAsync().ConfigureAwait(false)).InFlight;

    /// <summary>Pushes the messages in their order, each to its partition's input.</summary>
    public async Task PushAsync(IEnumerable<RedisValue> messages)
    {
        if (!Partitioned)
        {
            await Db.ListRightPushAsync(Keys.Input, [.. messages]).ConfigureAwait(false);
            return;
        }

        foreach (var group in messages.GroupBy(InputFor))
        {
            await Db.ListRightPushAsync(group.Key, [.. group]).ConfigureAwait(false);
        }
    }

    /// <summary>The output messages from index <paramref name="start"/> on, in output order; partitioned, in the global
    /// order the reading rule gives (every seq below the watermark, merged by seq) from index <paramref name="start"/> of it.</summary>
    /// <remarks>Per key: every partition's output, partition after partition (each key's entries in its order).</remarks>
    public async Task<IReadOnlyList<SequencedMessage>> OutputAsync(long start = 0)
    {
        if (Partitioned || PerKey)
        {
            IOutputReader reader = PerKey
                ? await KeyedOutputReader.StartAsync(Db, Partitions, fromStart: true).ConfigureAwait(false)
                : await GlobalOutputReader.StartAsync(Db, Partitions, 0).ConfigureAwait(false);
            var all = new List<RedisValue>();
            while (true)
            {
                var values = await reader.ReadAsync(Chunk).ConfigureAwait(false);
                all.AddRange(values);
                if (values.Length == 0)
                {
                    return [.. all.Skip((int)Math.Min(start, all.Count)).Select(v => OrderingJson.DeserializeOutput(v!))];
                }
            }
        }

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
        await Poll.UntilAsync(async () => await OutputLengthAsync().ConfigureAwait(false) >= start + count,
            timeout, $"{count} messages reach the output", TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        return await OutputAsync(start).ConfigureAwait(false);
    }

    /// <summary>The dead-letter entries from index <paramref name="start"/> on.</summary>
    /// <remarks>Partitioned: every partition's entries, partition after partition, and <paramref name="start"/> counts in
    /// that concatenation, so an index taken earlier does not mark "new since then" (an entry may have joined an earlier
    /// partition's list): look new entries up by seq instead.</remarks>
    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(long start = 0)
    {
        var all = new List<DeadLetter>();
        foreach (var keys in Partitions)
        {
            all.AddRange((await Db.ListRangeAsync(keys.DeadLetter).ConfigureAwait(false)).Select(v => OrderingJson.DeserializeDeadLetter(v!)));
        }

        return [.. all.Skip((int)Math.Min(start, all.Count))];
    }

    /// <summary>How many dead-letter entries there are (every partition's).</summary>
    public Task<long> DeadLetterCountAsync() => SumAsync(k => Db.ListLengthAsync(k.DeadLetter));

    /// <summary>The instance id of the sequencer that holds the lock (its token is <c>{instance}:{random}</c>), or null.</summary>
    public async Task<string?> LeaderAsync(int partition = 0)
    {
        var token = await Db.StringGetAsync(Partitions[partition].SequencerLock).ConfigureAwait(false);
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
        // The next seq and the output are read one after the other: a check is kept only if the output's newest entries did
        // not move meanwhile (an emission in between would pair a next seq with an output that already holds the seq after
        // it, or the other way round). Under load, a few tries, then the check says it did not settle (not idle).
        for (var attempt = 1; ; attempt++)
        {
            var before = await OutputVersionAsync().ConfigureAwait(false);
            var check = PerKey ? await CheckPerKeyAsync().ConfigureAwait(false) : await CheckGlobalAsync().ConfigureAwait(false);
            if (before == await OutputVersionAsync().ConfigureAwait(false))
            {
                return check;
            }

            if (attempt == 5)
            {
                return check with { Settled = false };
            }
        }
    }

    /// <summary>Every partition's newest output entry: it changes with every emission.</summary>
    private async Task<string> OutputVersionAsync()
    {
        var newest = new List<string>(Partitions.Count);
        foreach (var keys in Partitions)
        {
            newest.Add((await Db.ListGetByIndexAsync(keys.Output, -1).ConfigureAwait(false)).ToString());
        }

        return string.Join('\n', newest);
    }

    private async Task<OrderingCheck> CheckGlobalAsync()
    {
        var next = await NextSeqAsync().ConfigureAwait(false);
        var observed = await OutputSeqsAsync().ConfigureAwait(false);
        long firstKept = 1;
        var skipped = new List<long>();
        long input = 0, buffered = 0;
        foreach (var keys in Partitions)
        {
            var trimmed = await Db.StringGetAsync(keys.OutputTrimmedTo).ConfigureAwait(false);
            // Partitioned, retention cut each output on its own: the check starts after the latest cut of any.
            firstKept = Math.Max(firstKept, trimmed.IsNull ? 1 : (long)trimmed - (keys.Step - 1));
            skipped.AddRange((await Db.HashKeysAsync(keys.Skipped).ConfigureAwait(false)).Select(k => long.Parse(k.ToString(), CultureInfo.InvariantCulture)));
            input += await Db.ListLengthAsync(keys.Input).ConfigureAwait(false);
            buffered += await Db.HashLengthAsync(keys.ReorderBuffer).ConfigureAwait(false);
        }

        static string Id(long seq) => seq.ToString(CultureInfo.InvariantCulture);
        observed = [.. observed.Where(s => s >= firstKept)];
        var expected = Enumerable.Range(0, (int)Math.Max(0, next - firstKept)).Select(i => Id(firstKept + i));
        var report = InvariantChecker.Check(expected, observed.Select(Id), VerificationOptions.Ordered, [.. skipped.Where(s => s >= firstKept && s < next).Select(Id)]);
        return new OrderingCheck(report, next, firstKept, input, await InFlightAsync().ConfigureAwait(false), buffered,
            await DeadLetterCountAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// Per key: every seq each key has passed (1 .. its next seq - 1, from <c>next-seqs</c>) is in the output once, each key's
    /// in order, the skipped ones excepted. Once retention has cut a partition's output, a key of it is checked from the
    /// oldest of its seqs the output still holds (older ones may have been cut).
    /// </summary>
    private async Task<OrderingCheck> CheckPerKeyAsync()
    {
        var expected = new List<string>();
        var skipped = new List<string>();
        var observed = (await OutputAsync().ConfigureAwait(false)).Where(m => m.Key is not null).Select(m => OrderingKeys.IdOf(m.Key!, m.Seq)).ToList();
        var oldest = new Dictionary<string, long>();
        foreach (var id in observed)
        {
            var (key, seq) = OrderingKeys.SplitId(id);
            oldest[key] = oldest.TryGetValue(key, out var o) ? Math.Min(o, seq) : seq;
        }

        long input = 0, buffered = 0, passed = 0;
        var cut = false;
        foreach (var keys in Partitions)
        {
            var trimmed = await Db.StringGetAsync(keys.OutputTrimmedTo).ConfigureAwait(false);
            var partitionCut = !trimmed.IsNull && (long)trimmed > 0;
            cut |= partitionCut;
            foreach (var entry in await Db.HashGetAllAsync(keys.NextSeqs).ConfigureAwait(false))
            {
                var key = entry.Name.ToString();
                var next = (long)entry.Value;
                var first = partitionCut ? oldest.GetValueOrDefault(key, next) : 1;
                expected.AddRange(Enumerable.Range(0, (int)Math.Max(0, next - first)).Select(i => OrderingKeys.IdOf(key, first + i)));
                passed += next - 1;
            }

            skipped.AddRange((await Db.HashKeysAsync(keys.Skipped).ConfigureAwait(false)).Select(k => k.ToString()));
            input += await Db.ListLengthAsync(keys.Input).ConfigureAwait(false);
            buffered += await Db.HashLengthAsync(keys.ReorderBuffer).ConfigureAwait(false);
        }

        var inExpected = expected.ToHashSet();
        var report = InvariantChecker.CheckPerKey(expected, observed, id => OrderingKeys.SplitId(id).Key, skipped.Where(inExpected.Contains));
        return new OrderingCheck(report, passed + 1, cut ? 0 : 1, input, await InFlightAsync().ConfigureAwait(false), buffered,
            await DeadLetterCountAsync().ConfigureAwait(false)) { PerKey = true };
    }

    /// <summary>Clears pipeline B's data in one atomic step (<see cref="OrderingAdmin.ClearAsync"/>).</summary>
    public Task<ClearResult> ClearAsync() => OrderingAdmin.ClearAsync(Db, Partitions);

    /// <summary>Where pipeline B's messages are (for a failed run's message): input, in flight per processor, results,
    /// reorder buffer, the sequencer's position and lock, the processors registered and alive.</summary>
    public async Task<string> DescribeAsync()
    {
        try
        {
            var parts = new List<string>();
            foreach (var keys in Partitions)
            {
                parts.Add((Partitioned ? $"partition {keys.Partition}: " : "") + await DescribeAsync(keys).ConfigureAwait(false));
            }

            return string.Join(Partitioned ? " | " : "", parts);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return $"unreadable: {ex.Message}";
        }
    }

    private async Task<string> DescribeAsync(OrderingKeys keys)
    {
        var processors = new List<string>();
        foreach (var id in (await Db.SetMembersAsync(keys.Processors).ConfigureAwait(false)).Select(v => v.ToString()))
        {
            processors.Add($"{id}: {await Db.ListLengthAsync(keys.InFlight(id)).ConfigureAwait(false)} in flight, " +
                           $"heartbeat {(await Db.KeyExistsAsync(keys.Heartbeat(id)).ConfigureAwait(false) ? "alive" : "missing")}");
        }

        var next = await Db.StringGetAsync(keys.NextSeq).ConfigureAwait(false);
        return $"input {await Db.ListLengthAsync(keys.Input).ConfigureAwait(false)}, results {await Db.StreamLengthAsync(keys.Results).ConfigureAwait(false)}, " +
               $"reorder buffer {await Db.HashLengthAsync(keys.ReorderBuffer).ConfigureAwait(false)}, next seq {(next.IsNull ? keys.FirstSeq : (long)next)}, " +
               $"output {await Db.ListLengthAsync(keys.Output).ConfigureAwait(false)}, dead letters {await Db.ListLengthAsync(keys.DeadLetter).ConfigureAwait(false)}, " +
               $"quarantine {await Db.ListLengthAsync(keys.Quarantine).ConfigureAwait(false)}, lock {await Db.StringGetAsync(keys.SequencerLock).ConfigureAwait(false)}, " +
               $"processors [{string.Join("; ", processors)}]" +
               (keys.PerKey ? "" : $", claim of the next seq {Describe(await Db.HashGetAsync(keys.Claims, next.IsNull ? keys.FirstSeq : (long)next).ConfigureAwait(false))}") +
               $", newest dead letters [{string.Join("; ", (await Db.ListRangeAsync(keys.DeadLetter, -3, -1).ConfigureAwait(false)).Select(d => Truncate(d.ToString(), 240)))}]";
    }

    private static string Describe(RedisValue claim) => claim.IsNull ? "none" : claim.ToString();

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    public async ValueTask DisposeAsync() => await Redis.DisposeAsync().ConfigureAwait(false);
}
