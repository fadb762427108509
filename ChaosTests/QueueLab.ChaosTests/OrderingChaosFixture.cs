using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using QueueLab.Ordering;
using QueueLab.Testing;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline B for chaos: 3 processors x 8 in flight with 20 ms work (capacity 1,200/s, so at the suites' 100/s the
/// output flows continuously and a gap in it is a stall, not work), 2 sequencers, PostgreSQL as the system of record
/// (so a PostgreSQL restart is on the path), and a TCP fault proxy in front of Redis.
/// </summary>
public class OrderingChaosFixture : LabFixture
{
    public const int Processors = 3;

    /// <summary>The sequencers the lab runs (the AppHost's default): a restore waits until both are up and ready to lead.</summary>
    public const int Sequencers = 2;

    /// <summary>The sequencers' lock TTL (the default, <c>Ordering:Sequencer:LockTtl</c>).</summary>
    public static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(1);

    private OrderingProbe? _client;
    private ResourceLogTail? _sequencerLogs;

    /// <summary>Pipeline B's partitions in this lab (1: unpartitioned).</summary>
    public virtual int Partitions => 1;

    /// <summary>What order pipeline B keeps in this lab (global, or per key).</summary>
    public virtual OrderingMode Mode => OrderingMode.Global;

    /// <summary>Whether Redis is a local Redis Cluster of three primaries (<c>cache-0..2</c>; no fault proxy in front).</summary>
    public virtual bool RedisCluster => false;

    /// <summary>Whether the lab runs the clustered topology (<c>QueueLab:Topology=cluster</c>): Redis as a primary with two
    /// replicas (<c>cache-0..2</c>) and three Sentinels (<c>cache-sentinel-0..2</c>), no fault proxy in front.</summary>
    public virtual bool Clustered => false;

    /// <summary>The Redis processes of the lab: the one server, the cluster's primaries, or the data nodes and Sentinels.</summary>
    public IReadOnlyList<string> RedisNodes =>
        RedisCluster ? ClusterNodes.RedisData : Clustered ? ClusterNodes.Redis : [ResourceNames.Cache];

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Pipelines=ordering",
        $"QueueLab:Ordering:Partitions={Partitions}",
        $"QueueLab:Ordering:Mode={Mode}",
        $"QueueLab:Ordering:Processors={Processors}",
        "QueueLab:Ordering:Processor:MaxInFlight=8",
        "QueueLab:Ordering:Processor:WorkTime=00:00:00.020",
        "QueueLab:Ordering:Processor:SystemOfRecord=postgres",
        .. RedisCluster ? ["QueueLab:Redis:Cluster=true"] : Clustered ? ["QueueLab:Topology=cluster"] : (string[])["QueueLab:Chaos:Proxies=cache"],
        .. QuietLogging,
    ];

    protected override IEnumerable<string> ResourcesToAwait => [ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Processor, ResourceNames.Sequencer];

    public OrderingProbe Client => _client ?? throw new InvalidOperationException("The lab has not started.");

    /// <summary>The sequencers' console logs, followed from the lab's start (what a failed run shows of them).</summary>
    public ResourceLogTail SequencerLogs => _sequencerLogs ?? throw new InvalidOperationException("The lab has not started.");

    protected override async ValueTask StartedAsync()
    {
        _sequencerLogs = new ResourceLogTail(App.Services.GetRequiredService<ResourceLoggerService>(),
            Resources.Replicas(ResourceNames.Sequencer).Select(r => r.InstanceId));
        _client = await OrderingProbe.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Cache).ConfigureAwait(false), clientName: "queuelab-chaos", partitions: Partitions, mode: Mode).ConfigureAwait(false);
        await _client.WaitReadyAsync(Processors, TimeSpan.FromSeconds(90), sequencers: Sequencers).ConfigureAwait(false);
    }

    /// <summary>Brings every stopped or killed replica back and waits until all processors are registered and a sequencer leads.</summary>
    public async Task RestoreAsync()
    {
        var startedAfter = DateTimeOffset.UtcNow;
        var started = await Faults.Processes.StartStoppedAsync([ResourceNames.Processor, ResourceNames.Sequencer, .. RedisNodes, ResourceNames.Postgres])
            .ConfigureAwait(false);
        foreach (var proxy in Faults.Proxies.All)
        {
            proxy.Restore();
        }

        await Client.WaitReadyAsync(Processors, TimeSpan.FromSeconds(90), sequencers: Sequencers).ConfigureAwait(false);
        // Aspire's health of a replicated project is the resource's, and a killed sequencer's announcement lingers for its
        // last 3 s: a restarted sequencer is ready when it has announced itself since the restart.
        foreach (var sequencer in started.Where(r => r.Target.StartsWith(ResourceNames.Sequencer + "-", StringComparison.Ordinal)))
        {
            await Client.WaitSequencerReadyAsync(sequencer.Target, startedAfter, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        if (_sequencerLogs is not null)
        {
            await _sequencerLogs.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

[CollectionDefinition(Name)]
public sealed class OrderingChaosCollection : ICollectionFixture<OrderingChaosFixture>
{
    public const string Name = "pipeline B chaos";
}

/// <summary>
/// The same lab with pipeline B in three partitions: the two sequencers share the three partitions' locks (two and one),
/// every processor serves every partition, and the output is read in global order by the documented rule.
/// </summary>
public sealed class PartitionedOrderingChaosFixture : OrderingChaosFixture
{
    public override int Partitions => 3;
}

[CollectionDefinition(Name)]
public sealed class PartitionedOrderingChaosCollection : ICollectionFixture<PartitionedOrderingChaosFixture>
{
    public const string Name = "pipeline B chaos, partitioned";
}

/// <summary>
/// Pipeline B in per-key mode over three partitions: each message carries a key and that key's seq, key k belongs to
/// partition CRC16(k) mod 3, and the output is checked per key.
/// </summary>
public sealed class KeyedOrderingChaosFixture : OrderingChaosFixture
{
    public override int Partitions => 3;

    public override OrderingMode Mode => OrderingMode.PerKey;
}

[CollectionDefinition(Name)]
public sealed class KeyedOrderingChaosCollection : ICollectionFixture<KeyedOrderingChaosFixture>
{
    public const string Name = "pipeline B chaos, per key";
}

/// <summary>
/// Partitioned pipeline B (3 partitions) on a local Redis Cluster of three primaries (<c>QueueLab:Redis:Cluster=true</c>):
/// the lab shares the slots out so each primary holds one partition's keys.
/// </summary>
public sealed class RedisClusterOrderingChaosFixture : OrderingChaosFixture
{
    public override int Partitions => 3;

    public override bool RedisCluster => true;
}

[CollectionDefinition(Name)]
public sealed class RedisClusterOrderingChaosCollection : ICollectionFixture<RedisClusterOrderingChaosFixture>
{
    public const string Name = "pipeline B chaos, Redis Cluster";
}

/// <summary>The Redis Cluster lab with pipeline B in per-key order (3 partitions, one per primary). Only in the long profile
/// (<c>QUEUELAB_CHAOS=long</c>): a fifth pipeline B lab would take the CI profile past its 30 minutes.</summary>
public sealed class KeyedRedisClusterOrderingChaosFixture : OrderingChaosFixture
{
    public override string? SkipReason => ChaosProfile.Current.IsLong ? null
        : $"the per-key Redis Cluster scenarios run in the long chaos profile ({ChaosProfile.ProfileVariable}=long)";

    public override int Partitions => 3;

    public override bool RedisCluster => true;

    public override OrderingMode Mode => OrderingMode.PerKey;
}

[CollectionDefinition(Name)]
public sealed class KeyedRedisClusterOrderingChaosCollection : ICollectionFixture<KeyedRedisClusterOrderingChaosFixture>
{
    public const string Name = "pipeline B chaos, Redis Cluster, per key";
}

/// <summary>
/// Pipeline B (global order, one partition) on the clustered topology: Redis as a primary, two asynchronously replicated
/// replicas and three Sentinels. Behind <c>QUEUELAB_CHAOS=cluster</c> (or <c>long</c>): otherwise it starts nothing and its
/// tests report as skipped.
/// </summary>
public sealed class SentinelOrderingChaosFixture : OrderingChaosFixture
{
    public override string? SkipReason => ChaosProfile.Current.RunsClusters ? null
        : $"the clustered topology's scenarios run with {ChaosProfile.ProfileVariable}=cluster (or long): a cluster lab is too heavy for CI on two cores";

    public override bool Clustered => true;

    private ResourceLogTail? _redisLogs;

    /// <summary>The data nodes' and Sentinels' console logs since the lab started (the Sentinels' failover events).</summary>
    public ResourceLogTail RedisLogs => _redisLogs ?? throw new InvalidOperationException("The lab has not started.");

    /// <summary>The Sentinels' own account since <paramref name="since"/>: their event lines (+sdown, +odown, +elected-leader,
    /// +switch-master, +convert-to-slave, and +tilt when one starved).</summary>
    public IReadOnlyList<string> SentinelEvents(DateTimeOffset since) =>
        [.. RedisLogs.Since(since).Where(l => l.Contains("-sentinel-", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, @" [+-][a-z-]+ "))];

    /// <summary>The data nodes (not the Sentinels) with their ports, and the one a majority of the Sentinels names the primary.</summary>
    public async Task<(string Primary, int Port, IReadOnlyList<(string Name, int Port)> Nodes)> DataNodesAsync(CancellationToken cancellationToken)
    {
        var primary = await QueueLab.Lab.Faults.Servers.RedisAdmin.SentinelPrimaryAsync(await GetConnectionStringAsync(ResourceNames.Cache).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false) ?? throw new InvalidOperationException("No majority of the Sentinels names a primary.");
        var nodes = Faults.Resources.Nodes(ResourceNames.Cache)
            .Where(n => !n.Name.Contains("-sentinel-", StringComparison.Ordinal))
            .Select(n => (n.Name, Port: n.Annotations.OfType<EndpointAnnotation>().First().Port ?? 0))
            .ToList();
        return (nodes.Single(n => n.Port == primary.Port).Name, primary.Port, nodes);
    }

    protected override async ValueTask StartedAsync()
    {
        _redisLogs = new ResourceLogTail(App.Services.GetRequiredService<ResourceLoggerService>(),
            RedisNodes.SelectMany(n => Faults.Resources.Replicas(n)).Select(r => r.InstanceId));
        await base.StartedAsync().ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_redisLogs is not null)
        {
            await _redisLogs.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

[CollectionDefinition(Name)]
public sealed class SentinelOrderingChaosCollection : ICollectionFixture<SentinelOrderingChaosFixture>
{
    public const string Name = "pipeline B chaos, Redis with Sentinels";
}
