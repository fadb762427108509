using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using QueueLab.Lab.Rabbit;
using QueueLab.Rabbit;
using QueueLab.Testing;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>
/// Pipeline A through the AppHost (schema manager, publisher, 3 consumers) in the phase <see cref="Phase"/>, with
/// short delays so retries and held requeues come back quickly; plus direct clients of RabbitMQ, Redis and
/// PostgreSQL for the tests' own checks.
/// </summary>
public abstract class RabbitLabFixture : LabFixture
{
    public const int Consumers = 3;
    public const int MaxRetries = 3;

    private RabbitProbe? _probe;
    private ConnectionMultiplexer? _redis;
    private IConnection? _rabbit;

    protected abstract int Phase { get; }

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Pipelines=rabbit",
        $"QueueLab:Phase={Phase}",
        $"QueueLab:Rabbit:Consumers={Consumers}",
        "QueueLab:Rabbit:Consumer:HeldRequeueDelay=00:00:00.300",
        "QueueLab:Rabbit:Consumer:RetryBaseDelay=00:00:00.100",
        "QueueLab:Rabbit:Consumer:RetryMaxDelay=00:00:01",
        $"QueueLab:Rabbit:Consumer:MaxRetries={MaxRetries}",
        "QueueLab:Rabbit:SchemaManager:RetentionInterval=00:00:01",
    ];

    // etcd runs only in phase 3 (its coordinators allocate the queues).
    protected override IEnumerable<string> ResourcesToAwait =>
        [.. base.ResourcesToAwait.Where(r => r != ResourceNames.Etcd || Phase == 3), ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer];

    /// <summary>Pipeline A's stored outcome (processing log, final states).</summary>
    public RabbitProbe Probe => _probe ?? throw new InvalidOperationException("Not started.");

    public IDatabase Redis => (_redis ?? throw new InvalidOperationException("Not started.")).GetDatabase();

    public IConnection Rabbit => _rabbit ?? throw new InvalidOperationException("Not started.");

    public HttpClient Publisher { get; private set; } = null!;

    protected override async ValueTask StartedAsync()
    {
        _probe = RabbitProbe.Connect(await GetConnectionStringAsync(ResourceNames.Database));
        _redis = await ConnectionMultiplexer.ConnectAsync(await GetConnectionStringAsync(ResourceNames.Cache));
        _rabbit = await new ConnectionFactory { Uri = new Uri(await GetConnectionStringAsync(ResourceNames.Messaging)) }.CreateConnectionAsync();
        Publisher = App.CreateHttpClient(ResourceNames.Publisher);

        // Every replica consumes every queue before a test publishes.
        await using var channel = await Rabbit.CreateChannelAsync();
        foreach (var queue in LabTopology.DefaultQueues)
        {
            await Poll.UntilAsync(async () => (await channel.QueueDeclarePassiveAsync(queue.Name)).ConsumerCount == Consumers,
                TimeSpan.FromSeconds(60), $"{Consumers} consumers consume {queue.Name}");
        }
    }

    /// <summary>How many processing-log rows a message has with the given outcome (a LIKE pattern).</summary>
    public Task<long> LogCountAsync(string messageId, string outcomePattern) =>
        Probe.LogCountAsync(MessageIdPattern.Exactly(messageId), outcomePattern, cancellationToken: TestContext.Current.CancellationToken);

    public Task<long> FinalStateCountAsync(string messageId) =>
        Probe.FinalStateCountAsync(MessageIdPattern.Exactly(messageId), TestContext.Current.CancellationToken);

    /// <summary>Messages ready in a queue and in every delay queue derived from it (retries, held): 0 when nothing of
    /// it waits anywhere but in a consumer's hands.</summary>
    public async Task<long> WaitingAsync(string queue)
    {
        await using var channel = await Rabbit.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        long waiting = 0;
        foreach (var name in (string[])[queue, LabTopology.HeldQueue(queue), .. Enumerable.Range(1, MaxRetries).Select(n => LabTopology.RetryQueue(queue, n))])
        {
            waiting += (await channel.QueueDeclarePassiveAsync(name, TestContext.Current.CancellationToken)).MessageCount;
        }

        return waiting;
    }

    public async Task PublishOneAsync(string messageId, string exchange = LabTopology.DirectExchange, string routingKey = "orders", int failTimes = 0)
    {
        var response = await Publisher.PostAsJsonAsync("/messages",
            new { exchange, routingKey, messageId, payload = "test", failTimes }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public override async ValueTask DisposeAsync()
    {
        Publisher?.Dispose();
        if (_rabbit is not null)
        {
            await _rabbit.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_probe is not null)
        {
            await _probe.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

public sealed class Phase2Fixture : RabbitLabFixture
{
    protected override int Phase => 2;
}

public sealed class Phase1Fixture : RabbitLabFixture
{
    protected override int Phase => 1;
}

/// <summary>Phase 2 on classic queues: no delivery limit, so nothing may rely on one.</summary>
public sealed class ClassicFixture : RabbitLabFixture
{
    protected override int Phase => 2;

    protected override IEnumerable<string> Arguments => [.. base.Arguments, "QueueLab:Rabbit:Consumer:QueueType=Classic"];
}

[CollectionDefinition(Name)]
public sealed class ClassicCollection : ICollectionFixture<ClassicFixture>
{
    public const string Name = "rabbit classic queues";
}

[CollectionDefinition(Name)]
public sealed class Phase2Collection : ICollectionFixture<Phase2Fixture>
{
    public const string Name = "rabbit phase 2";
}

[CollectionDefinition(Name)]
public sealed class Phase1Collection : ICollectionFixture<Phase1Fixture>
{
    public const string Name = "rabbit phase 1";
}
