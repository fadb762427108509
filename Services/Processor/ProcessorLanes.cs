using Microsoft.Extensions.Options;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Processor;

/// <summary>What this processor runs for one partition: the partition's store, its message handler (which batches the
/// partition's completions into one script call) and a blocking connection for waiting on the partition's input.</summary>
public sealed record ProcessorLane(ProcessorStore Store, MessageHandler Handler, BlockingConnection Blocking);

/// <summary>
/// The processor's lanes, one per partition (<c>Ordering:Processor:Partitions</c>, 1 by default: today's keys): every
/// processor serves every partition.
/// </summary>
public sealed class ProcessorLanes : IAsyncDisposable
{
    public ProcessorLanes(IServiceProvider services, IConfiguration configuration)
    {
        var options = services.GetRequiredService<IOptions<ProcessorOptions>>().Value;
        var id = services.GetRequiredService<ProcessorIdentity>().Id;
        var database = services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var connectionString = configuration.GetConnectionString(ProcessorServiceExtensions.RedisConnectionName)
            ?? throw new InvalidOperationException($"No connection string '{ProcessorServiceExtensions.RedisConnectionName}' (the AppHost's WithReference(cache)).");
        Lanes = [.. OrderingKeys.Partitioned(options.KeyPrefix, options.Partitions, options.Mode).Select(keys =>
        {
            var store = new ProcessorStore(database, keys, id);
            // Blocking waits (an idle partition blocks on its input) never go over the shared, multiplexed connection.
            var blocking = new BlockingConnection(connectionString, options.Partitions == 1 ? $"{id}:blocking" : $"{id}:blocking:p{keys.Partition}", options.IdleWait);
            return new ProcessorLane(store, ActivatorUtilities.CreateInstance<MessageHandler>(services, store), blocking);
        })];
    }

    public IReadOnlyList<ProcessorLane> Lanes { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in Lanes)
        {
            await lane.Blocking.DisposeAsync().ConfigureAwait(false);
        }
    }
}
