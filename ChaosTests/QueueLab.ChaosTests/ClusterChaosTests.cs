using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using QueueLab.Coordination;
using QueueLab.Lab.Faults.Servers;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// The node failovers of the clustered topology (<c>QueueLab:Topology=cluster</c>), behind <c>QUEUELAB_CHAOS=cluster</c>:
/// pipeline A in phase 3 over RabbitMQ as three nodes, etcd as three members and Redis with Sentinels.
/// </summary>
[Collection(ClusterPhase3ChaosCollection.Name)]
public sealed class ClusterChaosTests(ClusterPhase3ChaosFixture lab) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    [Fact]
    public async Task Three_etcd_members_elect_a_leader_and_each_refuses_an_anonymous_client()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Etcd);
        var connection = EtcdConnection.Parse(connectionString);
        connection.Endpoints.Count.ShouldBe(3, "the services are given every member");

        var leader = await EtcdAdmin.LeaderAsync(connectionString, TestContext.Current.CancellationToken);
        leader.ShouldNotBeNull("a majority of the members names one leader");
        ClusterPhase3ChaosFixture.EtcdMembers.ShouldContain(leader.Name, "members are named after their resources");

        foreach (var member in connection.Members())
        {
            using var anonymous = new EtcdClient(member.Address);
            var refused = await Should.ThrowAsync<RpcException>(() => anonymous.GetAsync(new RangeRequest { Key = CoordinationKeys.Bytes("/queuelab/") },
                cancellationToken: TestContext.Current.CancellationToken));
            refused.Status.Detail.ShouldContain("user name is empty", customMessage: $"{member.Address} runs with authentication on");
        }
    }

    /// <summary>Every socket every node listens on (RabbitMQ's AMQP, management and distribution ports and its epmd, etcd's
    /// client and peer ports, Redis's and the Sentinels' ports, whatever else) is on loopback.</summary>
    [Fact]
    public void Every_node_of_every_cluster_listens_on_loopback_only()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        string[] nodes = [.. ClusterNodes.RabbitMQ, $"{ResourceNames.Messaging}-epmd", .. ClusterNodes.Etcd, .. ClusterNodes.Redis];
        var processes = lab.Resources.ProcessOwners().Where(p => nodes.Any(m => p.Value.StartsWith(m, StringComparison.Ordinal))).ToDictionary();
        var sockets = QueueLab.Lab.Processes.ListeningSockets.HeldBy(processes);

        foreach (var member in ClusterNodes.Etcd)
        {
            sockets.Where(s => s.Owner.StartsWith(member + "-", StringComparison.Ordinal)).Select(s => s.Port).Distinct().Count()
                .ShouldBeGreaterThanOrEqualTo(2, $"{member} listens for clients and for its peers");
        }

        foreach (var node in ClusterNodes.RabbitMQ)
        {
            sockets.Where(s => s.Owner.StartsWith(node + "-", StringComparison.Ordinal)).Select(s => s.Port).Distinct().Count()
                .ShouldBeGreaterThanOrEqualTo(3, $"{node} listens for AMQP, management and its peers");
        }

        foreach (var node in ClusterNodes.Redis)
        {
            sockets.ShouldContain(s => s.Owner.StartsWith(node + "-", StringComparison.Ordinal), $"{node} listens");
        }

        sockets.Where(s => !s.IsLoopback).ShouldBeEmpty("every listening socket of the nodes is on 127.0.0.1 or ::1");
    }

    /// <summary>The dashboard's node commands on the cluster (by their names in <c>QueueLab.Lab.Commands.FaultCommands</c>): "Kill
    /// the leader" on <c>etcd</c> (a new leader is named), and "Restart (keep data)" on the killed member, which rejoins on its data.</summary>
    [Fact]
    public async Task The_dashboard_kills_the_etcd_leader_and_restarts_a_member_on_its_data()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Etcd);
        var before = await EtcdAdmin.LeaderAsync(connectionString, ct);
        before.ShouldNotBeNull();

        var killed = await lab.App.ResourceCommands.ExecuteCommandAsync(ResourceNames.Etcd, "kill-leader", ct);

        killed.Success.ShouldBeTrue(killed.Message);
        (killed.Message ?? "").ShouldContain($"{before.Name} was the leader, term");
        var after = await EtcdAdmin.LeaderAsync(connectionString, ct);
        after.ShouldNotBeNull();
        after.Name.ShouldNotBe(before.Name);
        // Aspire learns of the kill on its own schedule: wait until it shows the member down, then it must stay down.
        await Poll.UntilAsync(() => lab.Faults.Resources.Replicas(before.Name).All(r => !r.IsRunning), TimeSpan.FromSeconds(30),
            $"Aspire shows {before.Name} down", cancellationToken: ct);

        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await lab.Faults.Processes.StartAsync(lab.Faults.Resources.Replicas(before.Name).Single().InstanceId, ct);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} etcd's logs since the start:\n{string.Join('\n', lab.EtcdLogs.Since(startedAt.AddSeconds(-5)))}", ex);
        }

        var restarted = await lab.App.ResourceCommands.ExecuteCommandAsync(before.Name, "restart-keep-data", ct);

        restarted.Success.ShouldBeTrue(restarted.Message);
        using var member = EtcdConnection.Parse(connectionString).Members()[ClusterPhase3ChaosFixture.EtcdMembers.ToList().IndexOf(before.Name)].CreateClient();
        var read = await member.GetAsync(new RangeRequest { Key = CoordinationKeys.Bytes(new CoordinationKeys().Leader) }, cancellationToken: ct);
        read.Kvs.Count.ShouldBe(1, "the restarted member serves the cluster's data (the coordinators' leader key)");
    }

    /// <summary>
    /// kill -9 of the etcd member that leads raft while pipeline A flows: the two others elect a new leader (the failover is
    /// measured), a consumer then leaves and comes back so the coordinator must write assignments through the new leader,
    /// and every message is processed exactly once. From etcd's own history of the run: every assignment was written by the
    /// coordinator that held the leader key at that revision (never by two leaders), and the coordinators' terms are counted.
    /// </summary>
    [Fact]
    public async Task Pipeline_A_stays_exactly_once_and_singly_led_when_the_etcd_leader_member_is_killed()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync(ResourceNames.Etcd));
        using var etcd = connection.CreateClient();
        var keys = new CoordinationKeys();
        var from = await CoordinatorHistory.RevisionAsync(etcd, TestContext.Current.CancellationToken);
        TimeSpan? failover = null;

        var result = await RabbitChaos.RunAsync(lab, "kill -9 of the etcd leader member (three members), then a consumer leaves and rejoins", async context =>
        {
            var killed = await lab.Faults.Servers.KillLeaderAsync(ResourceNames.Etcd);
            failover = killed.Took;
            var consumer = lab.Faults.Resources.Replicas(ResourceNames.Consumer).First(r => r.IsRunning);
            await lab.Faults.Processes.StopAsync(consumer.InstanceId);
            await context.WaitProcessedShareAsync(0.6);
            await lab.Faults.Processes.StartAsync(consumer.InstanceId);
            return $"{killed}; {consumer.InstanceId} stopped and started again at 60%";
        });

        RabbitChaosTests.AssertExactlyOnce(result);
        var history = await CoordinatorHistory.ReadAsync(etcd, keys, from, await CoordinatorHistory.RevisionAsync(etcd, TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken);
        history.Violations.ShouldBeEmpty();
        history.AssignmentsWritten.ShouldBeGreaterThan(0, "the consumer leaving and rejoining made the coordinator write assignments");
        failover.ShouldNotBeNull();
        // etcd's election timeout is 1 s; a cluster with no leader 10 s after a kill is broken, not slow.
        failover.Value.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        ChaosLog.Write(
            $"etcd leader failover {failover.Value.TotalMilliseconds:0} ms; {history.AssignmentsWritten} assignments written in {history.Terms.Count} coordinator term(s) "
            + $"({string.Join(", ", history.Terms)}), none by a coordinator that did not hold the leader key");
    }

    /// <summary>
    /// The etcd leader member cut off from the two others while pipeline A flows (the dashboard's Isolate from peers: the lab's
    /// peer proxies refuse its connections both ways, its clients still reach it), healed after a consumer left and rejoined:
    /// the two others elect a leader, the cut-off member follows none (it can serve no linearizable request, so the services'
    /// client moves its calls to the others), the coordinator writes the new assignments through the new leader, and after
    /// the heal all three follow one leader. Every message processed exactly once; from etcd's own history, no assignment
    /// written by a coordinator that did not hold the leader key.
    /// </summary>
    [Fact]
    public async Task Pipeline_A_stays_exactly_once_and_singly_led_when_the_etcd_leader_member_is_cut_off_from_its_peers()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Etcd);
        var connection = EtcdConnection.Parse(connectionString);
        using var etcd = connection.CreateClient();
        var keys = new CoordinationKeys();
        var from = await CoordinatorHistory.RevisionAsync(etcd, ct);
        var leader = await Poll.ForAsync(() => EtcdAdmin.LeaderAsync(connectionString, ct), l => l is not null, TimeSpan.FromSeconds(30), "etcd has a leader",
            cancellationToken: ct);
        var node = leader!.Name;
        string? isolated = null;
        QueueLab.Lab.Faults.FaultResult? healed = null;

        var result = await RabbitChaos.RunAsync(lab, $"the etcd leader {node} cut off from the two other members, then a consumer leaves and rejoins; healed after", async context =>
        {
            try
            {
                var isolate = await lab.App.ResourceCommands.ExecuteCommandAsync(node, "isolate", ct);
                isolated = isolate.Message;
                isolate.Success.ShouldBeTrue(isolate.Message);
                var consumer = lab.Faults.Resources.Replicas(ResourceNames.Consumer).First(r => r.IsRunning);
                await lab.Faults.Processes.StopAsync(consumer.InstanceId);
                await context.WaitProcessedShareAsync(0.6);
                await lab.Faults.Processes.StartAsync(consumer.InstanceId);
            }
            finally
            {
                // Healed whatever happened: the next scenarios must not run on a split cluster.
                healed = await lab.Faults.Servers.HealAsync(node, ct);
            }

            return $"{isolated}; {healed}";
        });

        RabbitChaosTests.AssertExactlyOnce(result);
        var history = await CoordinatorHistory.ReadAsync(etcd, keys, from, await CoordinatorHistory.RevisionAsync(etcd, ct), ct);
        history.Violations.ShouldBeEmpty();
        history.AssignmentsWritten.ShouldBeGreaterThan(0, "the consumer leaving and rejoining made the coordinator write assignments");
        isolated.ShouldNotBeNull().ShouldContain("it follows none");
        var views = await EtcdAdmin.ViewsAsync(connectionString, ct);
        views.Count.ShouldBe(3);
        views.Values.Distinct().Count().ShouldBe(1, "healed, every member follows one leader");
        ChaosLog.Write($"etcd leader cut off: {isolated}; healed: {healed?.Detail} in {healed?.Took.TotalMilliseconds:0} ms; "
            + $"{history.AssignmentsWritten} assignments written in {history.Terms.Count} coordinator term(s) ({string.Join(", ", history.Terms)})");
    }

    /// <summary>kill -9 of the RabbitMQ node that leads the most quorum queues while phase 3 flows (<see cref="ClusterRabbitScenarios.KillQueueLeaderAsync"/>).</summary>
    [Fact]
    public async Task Pipeline_A_stays_exactly_once_when_the_node_leading_the_most_quorum_queues_is_killed()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        await ClusterRabbitScenarios.KillQueueLeaderAsync(lab);
    }

    /// <summary>
    /// The RabbitMQ node that leads the most quorum queues cut off from the other two while pipeline A flows (the dashboard's
    /// Isolate from peers), healed once 60% is processed: the two others see it gone, it pauses itself (pause_minority), its
    /// clients reconnect to the others, the queues it led elect leaders there; after the heal every node sees all three running
    /// and every queue has three members online. Every message processed exactly once.
    /// </summary>
    [Fact]
    public async Task Pipeline_A_stays_exactly_once_when_a_RabbitMQ_node_is_cut_off_from_its_peers_and_healed()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var messaging = lab.GetResource(ResourceNames.Messaging);
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Messaging);
        var leaders = await RabbitAdmin.QueueLeadersAsync(messaging, connectionString, ct);
        var busiest = leaders.GroupBy(l => l.Value).OrderByDescending(g => g.Count()).First().Key;
        var node = lab.Faults.Resources.Nodes(ResourceNames.Messaging)
            .Single(n => n.Annotations.OfType<QueueLab.Lab.Resources.ClusterNodeNameAnnotation>().Single().NodeName == busiest).Name;
        QueueLab.Lab.Faults.FaultResult? isolated = null;
        QueueLab.Lab.Faults.FaultResult? healed = null;

        var result = await RabbitChaos.RunAsync(lab, $"{node} (leading the most quorum queues) cut off from the two other RabbitMQ nodes, healed at 60%", async context =>
        {
            var isolate = await lab.App.ResourceCommands.ExecuteCommandAsync(node, "isolate", ct);
            isolated = new("isolate", node, TimeSpan.Zero, isolate.Message ?? "");
            try
            {
                isolate.Success.ShouldBeTrue(isolate.Message);
                // pause_minority: alone, the node stops its applications (its management API with them) until it sees a majority.
                await Poll.UntilAsync(async () => !(await RabbitAdmin.ViewsAsync(messaging, connectionString, ct)).ContainsKey(busiest), TimeSpan.FromSeconds(30),
                    $"{node}, in a minority of one, pauses itself", cancellationToken: ct);
                await context.WaitProcessedShareAsync(0.6);
            }
            finally
            {
                // Healed whatever happened: the next scenarios must not run on a split cluster.
                healed = await lab.Faults.Servers.HealAsync(node, ct);
            }

            return $"{isolate.Message}; {healed}";
        });

        RabbitChaosTests.AssertExactlyOnce(result);
        healed.ShouldNotBeNull();
        ChaosLog.Write($"RabbitMQ node cut off: {isolated?.Detail}; healed: {healed.Detail} in {healed.Took.TotalMilliseconds:0} ms");
        await Poll.UntilAsync(async () => (await RabbitAdmin.QueueMembersOnlineAsync(messaging, connectionString, ct)).Values.All(n => n == 3),
            TimeSpan.FromSeconds(60), $"{node}, healed, is back in every quorum queue", cancellationToken: ct);
    }
}

/// <summary>Phase 2 (deduplication alone) on the clustered topology, behind <c>QUEUELAB_CHAOS=cluster</c>.</summary>
[Collection(ClusterPhase2ChaosCollection.Name)]
public sealed class ClusterPhase2ChaosTests(ClusterPhase2ChaosFixture lab) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    [Fact]
    public async Task Pipeline_A_stays_exactly_once_when_the_node_leading_the_most_quorum_queues_is_killed()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        await ClusterRabbitScenarios.KillQueueLeaderAsync(lab);
    }
}

/// <summary>The RabbitMQ cluster's scenarios, the same in either phase.</summary>
public static class ClusterRabbitScenarios
{
    /// <summary>
    /// kill -9 of the RabbitMQ node that leads the most quorum queues while pipeline A flows (every queue replicated on the
    /// three nodes): each queue it led elects a leader on another node (the failover is measured), the clients reconnect to
    /// the other nodes, and every message is processed exactly once. The node is then started on its data and every queue
    /// has its three members online again.
    /// </summary>
    public static async Task KillQueueLeaderAsync(ClusterRabbitChaosFixture lab)
    {
        QueueLab.Lab.Faults.FaultResult? killed = null;
        var result = await RabbitChaos.RunAsync(lab, "kill -9 of the RabbitMQ node leading the most quorum queues (three nodes)", async _ =>
        {
            killed = await lab.Faults.Servers.KillLeaderAsync(ResourceNames.Messaging);
            return killed.ToString();
        });

        RabbitChaosTests.AssertExactlyOnce(result);
        killed.ShouldNotBeNull();
        ChaosLog.Write($"RabbitMQ queue leader failover, phase {lab.Phase} (kill -9 of {killed.Target} until every queue it led has a new leader): {killed.Took.TotalMilliseconds:0} ms");
        // Raft elects within a few election timeouts once the peers see the node down (at once, on a kill: the sockets close).
        killed.Took.ShouldBeLessThan(TimeSpan.FromSeconds(15));

        await lab.RestoreAsync();
        var messaging = lab.GetResource(ResourceNames.Messaging);
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Messaging);
        await Poll.UntilAsync(async () => (await RabbitAdmin.QueueMembersOnlineAsync(messaging, connectionString, TestContext.Current.CancellationToken)).Values.All(n => n == 3),
            TimeSpan.FromSeconds(60), $"{killed.Target}, started again on its data, is back in every quorum queue", cancellationToken: TestContext.Current.CancellationToken);
    }
}
