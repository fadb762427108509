using Microsoft.Extensions.Options;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Sequencer;

/// <summary>
/// The sequencer's view of every partition (<c>Ordering:Sequencer:Partitions</c>, 1 by default: today's keys): one
/// <see cref="PartitionLeadership"/> each, with a blocking connection of its own for the idle leader's wait on the
/// partition's results stream, and the store of the keys all partitions share (the announcements).
/// </summary>
public sealed class SequencerLanes : IAsyncDisposable
{
    private readonly List<BlockingConnection> _blocking = [];

    public SequencerLanes(IServiceProvider services, IConfiguration configuration)
    {
        var options = services.GetRequiredService<IOptions<SequencerOptions>>().Value;
        var token = services.GetRequiredService<SequencerIdentity>().Token;
        var database = services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var connectionString = configuration.GetConnectionString(SequencerServiceExtensions.RedisConnectionName)
            ?? throw new InvalidOperationException($"No connection string '{SequencerServiceExtensions.RedisConnectionName}' (the AppHost's WithReference(cache)).");
        var partitions = OrderingKeys.Partitioned(options.KeyPrefix, options.Partitions, options.Mode);
        Share = new LeadershipShare(partitions.Count);
        Shared = new SequencerStore(database, partitions[0].Shared);
        All = [.. partitions.Select(keys =>
        {
            // The idle leader's blocking read of the results stream never goes over the shared, multiplexed connection.
            var blocking = new BlockingConnection(connectionString, partitions.Count == 1 ? $"{token}:blocking" : $"{token}:blocking:p{keys.Partition}", options.IdleWait);
            _blocking.Add(blocking);
            return ActivatorUtilities.CreateInstance<PartitionLeadership>(services, new SequencerStore(database, keys), blocking, Share);
        })];
    }

    public IReadOnlyList<PartitionLeadership> All { get; }

    public LeadershipShare Share { get; }

    /// <summary>The keys every partition shares: the sequencers' announcements.</summary>
    public SequencerStore Shared { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in All)
        {
            lane.Dispose();
        }

        foreach (var blocking in _blocking)
        {
            await blocking.DisposeAsync().ConfigureAwait(false);
        }
    }
}
