using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>
/// Pipeline B alone (Redis, 3 processors x 8 in flight, 500 ms work, 2 sequencers) through the AppHost, started
/// once for the collection. Tests share it, so each one works on the seqs from the sequencer's current next
/// expected one (<see cref="BeginAsync"/>) and reads the output from where it stood when the test began.
/// </summary>
public sealed class OrderingFixture : LabFixture, IAsyncLifetime
{
    private ConnectionMultiplexer? _redis;

    protected override IEnumerable<string> Arguments =>
        ["QueueLab:Pipelines=ordering", "QueueLab:Ordering:Processor:MaxInFlight=8", "QueueLab:Ordering:Processor:WorkTime=00:00:00.5"];

    protected override IEnumerable<string> ResourcesToAwait => ["cache", "processor", "sequencer"];

    public OrderingKeys Keys => OrderingKeys.Default;

    public IConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("The lab has not started.");

    public IDatabase Db => Redis.GetDatabase();

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        _redis = await ConnectionMultiplexer.ConnectAsync(await GetConnectionStringAsync("cache").ConfigureAwait(false)).ConfigureAwait(false);

        // Healthy is not yet working: wait until all three processors have registered and a leader holds the lock.
        await Poll.UntilAsync(async () => await Db.SetLengthAsync(Keys.Processors).ConfigureAwait(false) == 3
                && await Db.KeyExistsAsync(Keys.SequencerLock).ConfigureAwait(false),
            TimeSpan.FromSeconds(60), "three processors are registered and a sequencer leads").ConfigureAwait(false);
    }

    /// <summary>Waits until the pipeline is idle; returns the first seq a test may use and the output length.</summary>
    public async Task<(long FirstSeq, long OutputStart)> BeginAsync()
    {
        await Poll.UntilAsync(async () => await Db.ListLengthAsync(Keys.Input).ConfigureAwait(false) == 0
                && await Db.HashLengthAsync(Keys.ReorderBuffer).ConfigureAwait(false) == 0,
            TimeSpan.FromSeconds(60), "the pipeline is idle").ConfigureAwait(false);
        var next = await Db.StringGetAsync(Keys.NextSeq).ConfigureAwait(false);
        return (next.IsNull ? 1 : (long)next, await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false));
    }

    /// <summary>Waits until nothing is on its way: the input, every in-flight list, the quarantine and the reorder buffer are empty.</summary>
    public Task WaitIdleAsync(TimeSpan timeout) =>
        Poll.UntilAsync(async () =>
        {
            if (await Db.ListLengthAsync(Keys.Input).ConfigureAwait(false) > 0 || await Db.ListLengthAsync(Keys.Quarantine).ConfigureAwait(false) > 0
                || await Db.HashLengthAsync(Keys.ReorderBuffer).ConfigureAwait(false) > 0)
            {
                return false;
            }

            foreach (var processor in await Db.SetMembersAsync(Keys.Processors).ConfigureAwait(false))
            {
                if (await Db.ListLengthAsync(Keys.InFlight(processor!)).ConfigureAwait(false) > 0)
                {
                    return false;
                }
            }

            return true;
        }, timeout, "nothing is left in the input, in flight, quarantined or in the reorder buffer", TimeSpan.FromMilliseconds(50));

    public static string Message(long seq, string? payload = null) =>
        OrderingJson.Serialize(new OrderingMessage(seq, payload ?? $"payload-{seq}", DateTimeOffset.UtcNow));

    public Task PushAsync(IEnumerable<string> messages) =>
        Db.ListRightPushAsync(Keys.Input, [.. messages.Select(m => (RedisValue)m)]);

    /// <summary>Waits until <paramref name="count"/> messages follow <paramref name="outputStart"/> in the output and returns them.</summary>
    public async Task<IReadOnlyList<SequencedMessage>> WaitForOutputAsync(long outputStart, int count, TimeSpan timeout)
    {
        await Poll.UntilAsync(async () => await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false) >= outputStart + count,
            timeout, $"{count} messages reach the output", TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        var values = await Db.ListRangeAsync(Keys.Output, outputStart, -1).ConfigureAwait(false);
        return [.. values.Select(v => OrderingJson.DeserializeOutput(v!))];
    }

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() =>
        [.. (await Db.ListRangeAsync(Keys.DeadLetter).ConfigureAwait(false)).Select(v => OrderingJson.DeserializeDeadLetter(v!))];

    public override async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
            _redis = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

[CollectionDefinition(Name)]
public sealed class OrderingCollection : ICollectionFixture<OrderingFixture>
{
    public const string Name = "ordering";
}
