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
        "QueueLab:Rabbit:Consumer:Prefetch=32",
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

    /// <summary>Every stopped or killed replica and server back, and messages flowing end to end.</summary>
    public async Task RestoreAsync()
    {
        foreach (var resource in new[] { ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Etcd, ResourceNames.Coordinator, ResourceNames.Consumer, ResourceNames.Publisher })
        {
            if (resource == ResourceNames.Coordinator && Phase != 3)
            {
                continue;
            }

            foreach (var replica in Faults.Resources.Replicas(resource).Where(r => !r.IsRunning))
            {
                await Faults.Processes.StartAsync(replica.InstanceId).ConfigureAwait(false);
            }
        }

        await RabbitChaos.WaitFlowingAsync(this).ConfigureAwait(false);
    }

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
