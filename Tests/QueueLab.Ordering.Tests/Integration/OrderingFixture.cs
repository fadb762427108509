using QueueLab.Lab;
using QueueLab.Lab.Ordering;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>
/// Pipeline B alone (3 processors, 2 sequencers) through the AppHost, started once for the collection, with the
/// settings of a derived fixture. Tests share it, so each one works on the seqs from the sequencer's current next expected
/// one (<see cref="OrderingProbe.BeginAsync"/>) and reads the output from where it stood when the test began.
/// </summary>
public abstract class OrderingLabFixture : LabFixture
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private OrderingProbe? _probe;

    /// <summary>Pipeline B's settings for this fixture (<c>QueueLab:Ordering:*=...</c>).</summary>
    protected abstract IEnumerable<string> Settings { get; }

    protected override IEnumerable<string> Arguments => ["QueueLab:Pipelines=ordering", .. Settings];

    protected override IEnumerable<string> ResourcesToAwait => [ResourceNames.Cache, ResourceNames.Processor, ResourceNames.Sequencer];

    /// <summary>Pipeline B's state in Redis, as the lab layer reads it.</summary>
    public OrderingProbe Probe => _probe ?? throw new InvalidOperationException("The lab has not started.");

    public OrderingKeys Keys => Probe.Keys;

    public IConnectionMultiplexer Redis => Probe.Redis;

    public IDatabase Db => Probe.Db;

    protected override async ValueTask StartedAsync()
    {
        _probe = await OrderingProbe.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Cache).ConfigureAwait(false), clientName: "queuelab-tests").ConfigureAwait(false);

        // Healthy is not yet working: wait until all three processors have registered and a sequencer leads.
        await _probe.WaitReadyAsync(3, Patience).ConfigureAwait(false);
    }

    /// <summary>Waits until the pipeline is idle; returns the first seq a test may use and the output length.</summary>
    public Task<(long FirstSeq, long OutputStart)> BeginAsync() => Probe.BeginAsync(Patience);

    public static string Message(long seq, string? payload = null) =>
        OrderingJson.Serialize(new OrderingMessage(seq, payload ?? $"payload-{seq}", DateTimeOffset.UtcNow));

    public Task PushAsync(IEnumerable<string> messages) => Probe.PushAsync(messages.Select(m => (RedisValue)m));

    public override async ValueTask DisposeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Redis as the system of record, 3 processors x 8 in flight, 500 ms of work.</summary>
public sealed class OrderingFixture : OrderingLabFixture
{
    protected override IEnumerable<string> Settings =>
        ["QueueLab:Ordering:Processor:MaxInFlight=8", "QueueLab:Ordering:Processor:WorkTime=00:00:00.5"];
}

/// <summary>PostgreSQL as the system of record (<c>Processor:SystemOfRecord=postgres</c>), the default shape.</summary>
public sealed class PostgresRecordFixture : OrderingLabFixture
{
    protected override IEnumerable<string> Settings => ["QueueLab:Ordering:Processor:SystemOfRecord=postgres"];

    protected override IEnumerable<string> ResourcesToAwait => [.. base.ResourcesToAwait, ResourceNames.Postgres, ResourceNames.Database];
}

[CollectionDefinition(Name)]
public sealed class OrderingCollection : ICollectionFixture<OrderingFixture>
{
    public const string Name = "ordering";
}
