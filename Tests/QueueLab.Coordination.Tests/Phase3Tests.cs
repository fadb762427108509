using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using QueueLab.Coordinator;
using QueueLab.Rabbit;
using QueueLab.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QueueLab.Coordination.Tests;

/// <summary>
/// The integration tests on one lab (each starts and ends at 4,1,1): allocation 4,1,1 in etcd and in
/// RabbitMQ; a killed consumer rebalanced within TTL + 1 s; a restarted consumer recreates its binding from etcd; a
/// priority change rebalances; the coordinator leader dies and the standby applies the next change.
/// </summary>
[Collection(Phase3Collection.Name)]
public sealed class Phase3Tests(Phase3Fixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consumers_are_allocated_by_priority_a_killed_one_is_replaced_within_the_ttl_and_a_restarted_one_recreates_its_bindings()
    {
        // 6 consumers, priorities 4,1,1: 4,1,1 consumers, in etcd and in RabbitMQ.
        await WaitForAllocationAsync(6, [4, 1, 1], "6 consumers over 4,1,1 give 4,1,1");

        // Every consumer acknowledges the generation it applied (the coordinator's applied-duration metric).
        await Poll.UntilAsync(async () => (await lab.Coordinator.GetFromJsonAsync<AssignmentsView>("/assignments", Ct))!.Consumers
            .Where(c => c.Live).All(c => c.AppliedGeneration >= c.Generation), Timeout, "every consumer reports its assignment applied", cancellationToken: Ct);

        // A consumer of queue-1 is killed (-9): its lease expires and the rest are rebalanced within the TTL plus a second.
        var snapshot = await lab.Services.Get<CoordinationStateReader>().ReadAsync(Ct);
        var victim = snapshot.Assignments.First(a => snapshot.Consumers.Contains(a.Key) && a.Value.Queues.SequenceEqual(["queue-1"])).Key;
        var victimPid = await lab.ProcessIdAtAsync(lab.Services.Keys.Consumer(victim));
        var victimInstance = lab.InstanceOf(RabbitPipelineNames.Consumer, victimPid);
        var killed = Stopwatch.StartNew();
        Process.GetProcessById(victimPid).Kill();
        await WaitForEtcdAsync(5, [3, 1, 1], "5 consumers give 3,1,1", TimeSpan.FromSeconds(Phase3Fixture.LeaseTtlSeconds + 10));
        var rebalanceTime = killed.Elapsed;
        await WaitForAllocationAsync(5, [3, 1, 1], "RabbitMQ shows 3,1,1");
        TestContext.Current.TestOutputHelper?.WriteLine($"Consumer killed: 5 consumers rebalanced in etcd {rebalanceTime.TotalSeconds:0.00} s later (lease TTL {Phase3Fixture.LeaseTtlSeconds} s).");
        rebalanceTime.ShouldBeLessThan(TimeSpan.FromSeconds(Phase3Fixture.LeaseTtlSeconds + 1), $"rebalanced {rebalanceTime.TotalSeconds:0.00} s after the kill");

        // queue-1 loses its binding in RabbitMQ; the restarted consumer is the one that takes queue-1's free slot, and
        // it declares the queue and its binding from the etcd configuration.
        var queue = snapshot.Queues.Single(q => q.Name == "queue-1");
        await using (var channel = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct))
        {
            await channel.QueueUnbindAsync(queue.Name, queue.Binding.ExchangeName, queue.Binding.RoutingKey, cancellationToken: Ct);
        }

        (await IsRoutedAsync(queue.Binding.ExchangeName, queue.Binding.RoutingKey)).ShouldBeFalse("the binding is gone");
        (await lab.ExecuteAsync(victimInstance, KnownResourceCommands.StartCommand, Ct)).Success.ShouldBeTrue();
        await WaitForAllocationAsync(6, [4, 1, 1], "the restarted consumer rejoins: 4,1,1 again");
        await Poll.UntilAsync(() => IsRoutedAsync(queue.Binding.ExchangeName, queue.Binding.RoutingKey), Timeout,
            "the restarted consumer declared queue-1's binding from etcd", cancellationToken: Ct);
    }

    [Fact]
    public async Task A_priority_change_rebalances_and_after_the_coordinator_leader_dies_the_standby_applies_the_next_one()
    {
        await WaitForAllocationAsync(6, [4, 1, 1], "the lab is at 4,1,1");

        // A priority change rebalances: 4,4,1 over 6 consumers gives 3,2,1.
        (await lab.Coordinator.PutAsJsonAsync("/queues/queue-2", new { priority = 4 }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await WaitForAllocationAsync(6, [3, 2, 1], "priorities 4,4,1 give 3,2,1");

        // Invalid configuration is refused with the reasons, and nothing changes.
        var refused = await lab.Coordinator.PutAsJsonAsync("/queues/queue-3", new { binding = new { exchangeName = "queuelab.fanout", routingKey = "", exchangeType = "headers" } }, Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("is unknown; use one of");

        // The coordinator leader dies (-9); the standby takes over and the next change still applies.
        var leader = await lab.Coordinator.GetFromJsonAsync<LeaderView>("/leader", Ct);
        leader!.LeaderProcessId.ShouldNotBeNull();
        var leaderInstance = lab.InstanceOf(CoordinationPipelineNames.Coordinator, leader.LeaderProcessId!.Value);
        var died = Stopwatch.StartNew();
        Process.GetProcessById(leader.LeaderProcessId.Value).Kill();
        await Poll.UntilAsync(async () => (await lab.Coordinator.GetFromJsonAsync<LeaderView>("/leader", Ct))!.Leader is { } next && next != leader.Leader,
            Timeout, "the standby becomes leader", cancellationToken: Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"Coordinator leader killed: the standby leads {died.Elapsed.TotalSeconds:0.00} s later (lease TTL {Phase3Fixture.LeaseTtlSeconds} s).");
        (await lab.Coordinator.PutAsJsonAsync("/queues/queue-2", new { priority = 1 }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await WaitForAllocationAsync(6, [4, 1, 1], "back to 4,1,1 under the new leader");
        (await lab.ExecuteAsync(leaderInstance, KnownResourceCommands.StartCommand, Ct)).Success.ShouldBeTrue();
    }

    /// <summary>True when a mandatory publish is routed to a queue (not returned).</summary>
    private async Task<bool> IsRoutedAsync(string exchange, string routingKey)
    {
        await using var channel = await lab.Rabbit.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        try
        {
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, new BasicProperties { MessageId = $"binding-probe-{Guid.NewGuid():N}" }, "probe"u8.ToArray(), Ct);
            return true;
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            return false;
        }
    }

    private async Task WaitForAllocationAsync(int consumers, int[] counts, string because)
    {
        await WaitForEtcdAsync(consumers, counts, because, Timeout);
        await using var channel = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct);
        await Poll.UntilAsync(async () =>
        {
            var actual = new List<uint>();
            foreach (var queue in LabTopology.DefaultQueues)
            {
                actual.Add((await channel.QueueDeclarePassiveAsync(queue.Name, Ct)).ConsumerCount);
            }

            return actual.SequenceEqual(counts.Select(c => (uint)c));
        }, Timeout, because + " (RabbitMQ consumer counts)", cancellationToken: Ct);
    }

    private async Task WaitForEtcdAsync(int consumers, int[] counts, string because, TimeSpan timeout)
    {
        var reader = lab.Services.Get<CoordinationStateReader>();
        await Poll.UntilAsync(async () =>
        {
            var snapshot = await reader.ReadAsync(Ct);
            var live = snapshot.Assignments.Where(a => snapshot.Consumers.Contains(a.Key)).ToList();
            var perQueue = LabTopology.DefaultQueues.Select(q => live.Count(a => a.Value.Queues.Contains(q.Name))).ToArray();
            return snapshot.Consumers.Count == consumers && live.Count == consumers && perQueue.SequenceEqual(counts);
        }, timeout, because, interval: TimeSpan.FromMilliseconds(50), cancellationToken: Ct);
    }
}
