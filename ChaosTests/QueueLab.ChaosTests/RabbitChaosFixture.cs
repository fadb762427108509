using Aspire.Hosting.Testing;
using QueueLab.Testing;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline A for chaos in one phase: the publisher, 3 consumers (prefetch 32, 5 ms of work per message, so each holds
/// processed-but-unacknowledged deliveries when it dies) and, in phase 3, 2 coordinators with a 3 s lease TTL.
/// </summary>
public abstract class RabbitChaosFixture : LabFixture
{
    public const int Consumers = 3;
    private RabbitProbe? _probe;
    private StackExchange.Redis.ConnectionMultiplexer? _redis;

    public abstract int Phase { get; }

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Pipelines=rabbit",
        $"QueueLab:Phase={Phase}",
        $"QueueLab:Rabbit:Consumers={Consumers}",
        // A small window (the defaults are 512 / 128, sized for throughput): the scenarios' shape since they were written.
        "QueueLab:Rabbit:Consumer:Prefetch=32",
        "QueueLab:Rabbit:Consumer:Concurrency=16",
        "QueueLab:Rabbit:Consumer:ProcessingTime=00:00:00.005",
        "QueueLab:Coordination:LeaseTtl=00:00:03",
        "QueueLab:Coordination:ReconcileInterval=00:00:02",
        .. QuietLogging,
    ];

    protected override IEnumerable<string> ResourcesToAwait =>
        Phase == 3
            ? [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Database, ResourceNames.Etcd, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer, ResourceNames.Coordinator]
            : [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Database, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer];

    /// <summary>Pipeline A's stored outcome (the processing log and the final states).</summary>
    public RabbitProbe Probe => _probe ?? throw new InvalidOperationException("The lab has not started.");

    public StackExchange.Redis.IDatabase Redis => (_redis ?? throw new InvalidOperationException("The lab has not started.")).GetDatabase();

    public HttpClient Publisher { get; private set; } = null!;

    public HttpClient? Coordinator { get; private set; }

    protected override async ValueTask StartedAsync()
    {
        _probe = await RabbitProbe.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Messaging).ConfigureAwait(false),
            await GetConnectionStringAsync(ResourceNames.Database).ConfigureAwait(false), "queuelab-chaos").ConfigureAwait(false);
        _redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Cache).ConfigureAwait(false)).ConfigureAwait(false);
        Publisher = App.CreateHttpClient(ResourceNames.Publisher);
        Publisher.Timeout = TimeSpan.FromSeconds(60);
        Coordinator = Phase == 3 ? App.CreateHttpClient(ResourceNames.Coordinator) : null;
        await RabbitChaos.WaitFlowingAsync(this).ConfigureAwait(false);
    }

    /// <summary>The server processes a restore starts again when a fault left them down (a cluster's nodes, in the cluster topology);
    /// etcd runs only in phase 3.</summary>
    protected virtual IEnumerable<string> ServerProcesses =>
        [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, .. Phase == 3 ? [ResourceNames.Etcd] : Array.Empty<string>()];

    /// <summary>Every stopped or killed replica and server back, and messages flowing end to end.</summary>
    public async Task RestoreAsync()
    {
        foreach (var resource in (string[])[.. ServerProcesses, ResourceNames.Coordinator, ResourceNames.Consumer, ResourceNames.Publisher])
        {
            if (resource == ResourceNames.Coordinator && Phase != 3)
            {
                continue;
            }

            foreach (var replica in Faults.Resources.Replicas(resource).Where(r => !r.IsRunning))
            {
                var startedAt = DateTimeOffset.UtcNow;
                try
                {
                    await Faults.Processes.StartAsync(replica.InstanceId).ConfigureAwait(false);
                }
                catch (TimeoutException ex) when (LogsOf(replica.InstanceId, startedAt) is { Count: > 0 } logs)
                {
                    throw new TimeoutException($"{ex.Message} Its console since the start:\n{string.Join('\n', logs)}", ex);
                }
            }
        }

        await RabbitChaos.WaitFlowingAsync(this).ConfigureAwait(false);
    }

    /// <summary>The console lines of <paramref name="instanceId"/> since <paramref name="since"/>, where the lab follows them.</summary>
    protected virtual IReadOnlyList<string> LogsOf(string instanceId, DateTimeOffset since) => [];

    public override async ValueTask DisposeAsync()
    {
        Publisher?.Dispose();
        Coordinator?.Dispose();
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

public sealed class Phase1ChaosFixture : RabbitChaosFixture
{
    public override int Phase => 1;
}

public sealed class Phase2ChaosFixture : RabbitChaosFixture
{
    public override int Phase => 2;
}

public sealed class Phase3ChaosFixture : RabbitChaosFixture
{
    public override int Phase => 3;
}

/// <summary>
/// Pipeline A on the clustered topology (<c>QueueLab:Topology=cluster</c>: RabbitMQ as three nodes, etcd as three members,
/// <c>etcd-0..2</c>; Redis as a primary, two replicas and three Sentinels), for the node failovers only a cluster has.
/// Behind <c>QUEUELAB_CHAOS=cluster</c> (or <c>long</c>): otherwise it starts nothing and its tests report as skipped.
/// </summary>
public abstract class ClusterRabbitChaosFixture : RabbitChaosFixture
{
    public static IReadOnlyList<string> EtcdMembers => ClusterNodes.Etcd;

    public override string? SkipReason => ChaosProfile.Current.RunsClusters ? null
        : $"the clustered topology's scenarios run with {ChaosProfile.ProfileVariable}=cluster (or long): a cluster lab is too heavy for CI on two cores";

    protected override IEnumerable<string> Arguments => [.. base.Arguments, "QueueLab:Topology=cluster"];

    protected override IEnumerable<string> ServerProcesses =>
        [.. ClusterNodes.RabbitMQ, .. ClusterNodes.Redis, ResourceNames.Postgres, .. Phase == 3 ? EtcdMembers : []];

    private QueueLab.Lab.Resources.ResourceLogTail? _etcdLogs;

    /// <summary>The etcd members' console logs since the lab started (what a failed scenario shows of them).</summary>
    public QueueLab.Lab.Resources.ResourceLogTail EtcdLogs => _etcdLogs ?? throw new InvalidOperationException("The lab has not started.");

    protected override async ValueTask StartedAsync()
    {
        if (Phase == 3)
        {
            // etcd runs only in phase 3.
            _etcdLogs = new QueueLab.Lab.Resources.ResourceLogTail(
                Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceLoggerService>(App.Services),
                EtcdMembers.SelectMany(m => Faults.Resources.Replicas(m)).Select(r => r.InstanceId));
        }

        await base.StartedAsync().ConfigureAwait(false);
    }

    protected override IReadOnlyList<string> LogsOf(string instanceId, DateTimeOffset since) =>
        _etcdLogs is null ? [] : [.. _etcdLogs.Since(since.AddSeconds(-5)).Where(l => l.Contains(instanceId, StringComparison.Ordinal))];

    public override async ValueTask DisposeAsync()
    {
        if (_etcdLogs is not null)
        {
            await _etcdLogs.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Phase 3 on the clustered topology: etcd's and RabbitMQ's node failovers under the coordinator.</summary>
public sealed class ClusterPhase3ChaosFixture : ClusterRabbitChaosFixture
{
    public override int Phase => 3;
}

/// <summary>Phase 2 on the clustered topology: RabbitMQ's node failovers with deduplication alone (no coordinator).</summary>
public sealed class ClusterPhase2ChaosFixture : ClusterRabbitChaosFixture
{
    public override int Phase => 2;
}

[CollectionDefinition(Name)]
public sealed class ClusterPhase2ChaosCollection : ICollectionFixture<ClusterPhase2ChaosFixture>
{
    public const string Name = "pipeline A chaos, phase 2, clustered topology";
}

[CollectionDefinition(Name)]
public sealed class ClusterPhase3ChaosCollection : ICollectionFixture<ClusterPhase3ChaosFixture>
{
    public const string Name = "pipeline A chaos, phase 3, clustered topology";
}

[CollectionDefinition(Name)]
public sealed class Phase1ChaosCollection : ICollectionFixture<Phase1ChaosFixture>
{
    public const string Name = "pipeline A chaos, phase 1";
}

[CollectionDefinition(Name)]
public sealed class Phase2ChaosCollection : ICollectionFixture<Phase2ChaosFixture>
{
    public const string Name = "pipeline A chaos, phase 2";
}

[CollectionDefinition(Name)]
public sealed class Phase3ChaosCollection : ICollectionFixture<Phase3ChaosFixture>
{
    public const string Name = "pipeline A chaos, phase 3";
}
