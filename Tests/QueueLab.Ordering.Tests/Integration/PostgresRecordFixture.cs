using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>Pipeline B with PostgreSQL as the system of record (<c>Processor:SystemOfRecord=postgres</c>).</summary>
public sealed class PostgresRecordFixture : LabFixture, IAsyncLifetime
{
    private ConnectionMultiplexer? _redis;

    protected override IEnumerable<string> Arguments =>
        ["QueueLab:Pipelines=ordering", "QueueLab:Ordering:Processor:SystemOfRecord=postgres"];

    protected override IEnumerable<string> ResourcesToAwait => ["cache", "postgres", "queuelab", "processor", "sequencer"];

    public IDatabase Db => (_redis ?? throw new InvalidOperationException("The lab has not started.")).GetDatabase();

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        _redis = await ConnectionMultiplexer.ConnectAsync(await GetConnectionStringAsync("cache").ConfigureAwait(false)).ConfigureAwait(false);
        await Poll.UntilAsync(async () => await Db.SetLengthAsync(OrderingKeys.Default.Processors).ConfigureAwait(false) == 3
                && await Db.KeyExistsAsync(OrderingKeys.Default.SequencerLock).ConfigureAwait(false),
            TimeSpan.FromSeconds(60), "three processors are registered and a sequencer leads").ConfigureAwait(false);
    }

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
public sealed class PostgresRecordCollection : ICollectionFixture<PostgresRecordFixture>
{
    public const string Name = "ordering-postgres";
}
