using Etcdserverpb;
using QueueLab.Rabbit;

namespace QueueLab.Coordination.Tests;

[Collection(EtcdCollection.Name)]
public sealed class AssignmentWatcherTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_watcher_yields_the_assignment_with_bindings_whenever_either_changes()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("watch"));
        var keys = services.Keys;
        var store = services.Get<QueueConfigurationStore>();
        await store.SeedIfAbsentAsync([.. LabTopology.DefaultQueues], Ct);
        await Assign(keys, "c1", 1, "queue-1");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var assignments = services.Get<AssignmentWatcher>().WatchAsync("c1", stop.Token).GetAsyncEnumerator(stop.Token);

        var first = await Next(assignments);
        first.Generation.ShouldBe(1);
        first.Queues.ShouldBe([LabTopology.DefaultQueues[0] with { UpdatedAt = first.Queues[0].UpdatedAt }]);

        await Assign(keys, "c1", 2, "queue-2", "queue-3");
        var second = await Next(assignments);
        second.Generation.ShouldBe(2);
        second.Queues.Select(q => q.Name).ShouldBe(["queue-2", "queue-3"]);

        // A binding change of an assigned queue reaches the consumer without a new assignment.
        (await store.SetAsync(LabTopology.DefaultQueues[1] with { Binding = new QueueBinding(LabTopology.TopicExchange, "orders.#", ExchangeTypes.Topic) }, Ct))
            .Succeeded.ShouldBeTrue();
        var third = await Next(assignments);
        third.Generation.ShouldBe(2);
        third.Queues[0].Binding.RoutingKey.ShouldBe("orders.#");

        await etcd.Client.DeleteAsync(keys.Assignment("c1"), cancellationToken: Ct);
        (await Next(assignments)).Queues.ShouldBeEmpty("a removed assignment stops every queue");

        // Acknowledgement lands where the coordinator looks for it.
        (await services.Get<AssignmentWatcher>().AcknowledgeAsync(third, Ct)).ShouldBeTrue();
        (await etcd.Client.GetValAsync(keys.Applied("c1"), cancellationToken: Ct)).ShouldContain("\"generation\":2");
        await stop.CancelAsync();
    }

    private async Task Assign(CoordinationKeys keys, string consumer, long generation, params string[] queues) =>
        await etcd.Client.PutAsync(new PutRequest
        {
            Key = CoordinationKeys.Bytes(keys.Assignment(consumer)),
            Value = CoordinationJson.Serialize(new AssignmentDocument(queues, generation, 1, "test")),
        }, cancellationToken: Ct);

    private static async Task<ConsumerAssignment> Next(IAsyncEnumerator<ConsumerAssignment> assignments)
    {
        (await assignments.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct)).ShouldBeTrue();
        return assignments.Current;
    }
}
