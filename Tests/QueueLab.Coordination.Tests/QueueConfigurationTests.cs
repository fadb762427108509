using QueueLab.Rabbit;

namespace QueueLab.Coordination.Tests;

[Collection(EtcdCollection.Name)]
public sealed class QueueConfigurationTests(EtcdFixture etcd)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Seeding_writes_only_the_queues_that_are_absent()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("seed"));
        var store = services.Get<QueueConfigurationStore>();
        (await store.SeedIfAbsentAsync([.. LabTopology.DefaultQueues], Ct)).Count.ShouldBe(3);

        var changed = await store.SetAsync(LabTopology.DefaultQueues[0] with { Priority = 7 }, Ct);
        changed.Succeeded.ShouldBeTrue();
        (await store.SeedIfAbsentAsync([.. LabTopology.DefaultQueues], Ct)).ShouldBeEmpty("a restart does not overwrite");
        (await store.GetAsync("queue-1", Ct))!.Priority.ShouldBe(7);
        var all = await store.GetAllAsync(Ct);
        all.Select(q => (q.Name, q.Priority)).ShouldBe([("queue-1", 7), ("queue-2", 1), ("queue-3", 1)]);
        all.ShouldAllBe(q => q.UpdatedAt > 0);
    }

    [Theory]
    [InlineData(0, LabTopology.DirectExchange, "orders", ExchangeTypes.Direct, "priority of 1 or more")]
    [InlineData(2, LabTopology.DirectExchange, "orders", "headers", "unknown")]
    [InlineData(2, LabTopology.DirectExchange, "", ExchangeTypes.Direct, "needs a routing key")]
    [InlineData(2, LabTopology.TopicExchange, "orders", ExchangeTypes.Direct, "an exchange has one type")]
    public async Task Invalid_configuration_is_refused_with_the_reason_and_changes_nothing(
        int priority, string exchange, string routingKey, string exchangeType, string reason)
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("invalid"));
        var store = services.Get<QueueConfigurationStore>();
        await store.SeedIfAbsentAsync([.. LabTopology.DefaultQueues], Ct);
        var before = await etcd.Client.GetRangeAsync(services.Keys.QueuesPrefix, cancellationToken: Ct);

        var result = await store.SetAsync(new QueueDefinition("queue-1", priority, new QueueBinding(exchange, routingKey, exchangeType)), Ct);

        result.Succeeded.ShouldBeFalse();
        string.Join(" ", result.Errors).ShouldContain(reason);
        var after = await etcd.Client.GetRangeAsync(services.Keys.QueuesPrefix, cancellationToken: Ct);
        after.Kvs.Select(kv => (kv.Key.ToStringUtf8(), kv.ModRevision)).ShouldBe(before.Kvs.Select(kv => (kv.Key.ToStringUtf8(), kv.ModRevision)));
    }
}
