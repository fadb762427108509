using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline A in phase 3 (Redis + PostgreSQL deduplication, etcd allocation) under faults: 500 messages at 100/s through
/// the publisher service, the fault once 30% of the (message, queue) pairs are processed; then every pair must be
/// processed exactly once and every final state stored.
/// </summary>
[Collection(Phase3ChaosCollection.Name)]
public sealed class RabbitChaosTests(Phase3ChaosFixture lab) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => new(lab.RestoreAsync());

    public ValueTask DisposeAsync() => new(lab.RestoreAsync());

    [Theory]
    [InlineData("kill-consumer", "kill -9 of a consumer mid-processing")]
    [InlineData("restart-rabbitmq", "RabbitMQ restarted (graceful, quorum queues on disk)")]
    [InlineData("restart-postgres", "PostgreSQL kill -9 and restart")]
    [InlineData("restart-redis", "Redis kill -9 and restart (AOF)")]
    [InlineData("restart-etcd", "etcd kill -9 and restart")]
    [InlineData("kill-coordinator-leader", "kill -9 of the coordinator leader")]
    public async Task Exactly_once_through(string fault, string scenario)
    {
        var result = await RabbitChaos.RunAsync(lab, scenario, _ => FaultSchedule.Rabbit[fault](lab));

        AssertExactlyOnce(result);
    }

    /// <summary>
    /// The consumers' batching under a kill -9: 2,000 messages at 1,000/s, so each consumer holds processing keys taken
    /// in one script call and finished deliveries waiting for a shared multiple ack when one of them dies. Nothing may be
    /// lost (an ack never passes a delivery still in handling) and nothing processed twice (the dead consumer's keys
    /// expire, and the final-state check catches what it stored but had not acked).
    /// </summary>
    [Fact]
    public async Task Batched_keys_and_acks_lose_nothing_when_a_consumer_dies_mid_burst()
    {
        var result = await RabbitChaos.RunAsync(lab, "kill -9 of a consumer mid-burst (batched keys and acks)",
            _ => FaultSchedule.Rabbit["kill-consumer"](lab), messages: 2000, rate: 1000);

        AssertExactlyOnce(result);
    }

    [Fact]
    public async Task Consumers_leaving_and_joining_under_load()
    {
        var result = await RabbitChaos.RunAsync(lab, "a consumer leaves (graceful stop) and joins again", async context =>
        {
            var replica = lab.Faults.Resources.Replicas(ResourceNames.Consumer).First(r => r.IsRunning);
            await lab.Faults.Processes.StopAsync(replica.InstanceId);
            await context.WaitProcessedShareAsync(0.6);
            await lab.Faults.Processes.StartAsync(replica.InstanceId);
            return $"{replica.InstanceId} stopped at 30% and started again at 60% (rebalanced by the coordinator both times)";
        });

        AssertExactlyOnce(result);
    }

    internal static void AssertExactlyOnce(RabbitChaosResult result)
    {
        result.Faults.ShouldNotBeEmpty("the fault was injected during the run");
        var s = result.Summary;
        result.Invariants.Passed.ShouldBeTrue(result.Invariants.Render(20));
        (s.Lost, s.Duplicated, s.Unexpected).ShouldBe((0, 0, 0));
        result.MissingFinalStates.ShouldBe(0);
    }
}
