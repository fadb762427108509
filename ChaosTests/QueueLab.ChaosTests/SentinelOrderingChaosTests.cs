using QueueLab.Lab.Faults;
using QueueLab.Lab.Faults.Servers;
using QueueLab.Testing;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline B on Redis with Sentinels (<c>QueueLab:Topology=cluster</c>), behind <c>QUEUELAB_CHAOS=cluster</c>: the set is
/// formed and on loopback, and the primary killed mid-burst fails over to a replica while the invariants are checked.
/// </summary>
[Collection(SentinelOrderingChaosCollection.Name)]
public sealed class SentinelOrderingChaosTests(SentinelOrderingChaosFixture lab) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    [Fact]
    public async Task The_Sentinels_agree_on_a_primary_with_two_replicas_and_every_node_listens_on_loopback()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        var options = ConfigurationOptions.Parse(connectionString);
        options.ServiceName.ShouldBe("queuelab", "the services are given the Sentinels and the name they know the primary by");
        options.EndPoints.Count.ShouldBe(3);

        var primary = await RedisAdmin.SentinelPrimaryAsync(connectionString, TestContext.Current.CancellationToken);
        primary.ShouldNotBeNull("a majority of the Sentinels names the primary");
        var replication = await InfoReplicationAsync(primary.Port);
        replication.ShouldContain("role:master");
        replication.ShouldContain("connected_slaves:2");

        var processes = lab.Resources.ProcessOwners().Where(p => lab.RedisNodes.Any(n => p.Value.StartsWith(n, StringComparison.Ordinal))).ToDictionary();
        var sockets = QueueLab.Lab.Processes.ListeningSockets.HeldBy(processes);
        foreach (var node in lab.RedisNodes)
        {
            sockets.ShouldContain(s => s.Owner.StartsWith(node, StringComparison.Ordinal), $"{node} listens");
        }

        sockets.Where(s => !s.IsLoopback).ShouldBeEmpty("every listening socket of the data nodes and Sentinels is on 127.0.0.1 or ::1");
    }

    /// <summary>
    /// kill -9 of the primary while 600 messages flow at 100/s: the Sentinels promote a replica (the failover is measured), the
    /// services follow it through their Sentinel connection string, and the output is checked: every seq once, in order. Then the
    /// killed node is started again and comes back as a replica of the new primary, never as a second primary.
    /// </summary>
    [Fact]
    public async Task The_primary_killed_mid_burst_fails_over_to_a_replica_and_returns_as_a_replica()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        FaultResult? killed = null;
        var began = DateTimeOffset.UtcNow;
        var result = await OrderedChaos.RunAsync(lab, "kill -9 of the Redis primary (Sentinels promote a replica)", async _ =>
        {
            killed = await lab.Faults.Servers.KillLeaderAsync(ResourceNames.Cache);
            return killed.ToString();
        });

        ChaosLog.Write($"Redis failover (kill -9 of {killed?.Target} to a new primary named by a majority of the Sentinels): {killed?.Took.TotalMilliseconds:0} ms");
        // The Sentinels' own account of the failover (+sdown, +odown, +elected-leader, +switch-master, and +tilt if one starved).
        ChaosLog.Write("The Sentinels' failover events:\n" + string.Join('\n', lab.SentinelEvents(began)));
        OrderingChaosTests.AssertExact(result, lab.Mode);
        // The Sentinels see the primary down after 2 s (down-after-milliseconds) and promote a replica about a second later;
        // the clients then meet the new primary through the Sentinels (a request queued meanwhile waits at most 5 s in the
        // client's backlog). Measured: 3.5-8.5 s.
        result.LongestStall.ShouldBeLessThan(TimeSpan.FromSeconds(10),
            $"the failover took {killed?.Took.TotalMilliseconds:0} ms; the sequencers said:\n" + string.Join('\n', result.SequencerLog.TakeLast(150)));

        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        var primary = await RedisAdmin.SentinelPrimaryAsync(connectionString, TestContext.Current.CancellationToken);
        await lab.RestoreAsync();
        var port = lab.Faults.Resources.Resource(killed!.Target).Annotations.OfType<Aspire.Hosting.ApplicationModel.EndpointAnnotation>().Single().Port!.Value;
        var replication = await Poll.ForAsync(() => InfoReplicationAsync(port), r => r.Contains("master_link_status:up", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), $"{killed.Target}, started again, replicates from the new primary", cancellationToken: TestContext.Current.CancellationToken);
        replication.ShouldContain("role:slave");
        replication.ShouldContain($"master_port:{primary!.Port}");
    }

    /// <summary>
    /// The primary frozen (SIGSTOP) for 6 s while 600 messages flow: the Sentinels see it down after 2 s and promote a replica,
    /// the clients follow the new primary; when the old primary is continued it still believes it is the primary, with its
    /// connections open: the split-brain case asynchronous replication is known for. The Sentinels turn it into a replica of
    /// the new primary, and the output must still be every seq once, in order.
    /// </summary>
    [Fact]
    public async Task The_primary_frozen_past_the_failover_becomes_a_replica_and_the_output_stays_exact()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        // A known defect, narrowed but not gone. It lost every seq pushed after the freeze in 3 runs of 5: after the continue
        // the old primary answers as a primary for ~10 s, and the producer's client, seeing two primaries, sent a push to the
        // old one and its WAIT to the new one, which acknowledged it. The producer now pushes and waits on one connection
        // (OrderingProbe.PushAsync) and a claim rolled back by the failover is made again (LuaFragments.ReclaimLost): 8 runs
        // of 9 exact since; the ninth lost the first seq after the freeze (no claim, no result, no copy in any list, 2 dead
        // letters), cause not found. docs/chaos.md, "A frozen primary"; QUEUELAB_CHAOS_DEFECTS=1 runs it.
        if (Environment.GetEnvironmentVariable("QUEUELAB_CHAOS_DEFECTS") != "1")
        {
            Assert.Skip("known defect (docs/chaos.md, \"A frozen primary\"): in 1 run of 9 pipeline B lost the first seq pushed after a Redis primary was frozen past its failover; QUEUELAB_CHAOS_DEFECTS=1 runs it");
        }

        var ct = TestContext.Current.CancellationToken;
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        var (node, primaryPort, _) = await lab.DataNodesAsync(ct);
        var began = DateTimeOffset.UtcNow;

        var result = await OrderedChaos.RunAsync(lab, $"the Redis primary {node} frozen for 6 s (Sentinels promote a replica meanwhile)",
            async _ => (await lab.Faults.Processes.FreezeAsync(node, TimeSpan.FromSeconds(6), ct)).ToString());

        ChaosLog.Write("The Sentinels' events:\n" + string.Join('\n', lab.SentinelEvents(began)));
        OrderingChaosTests.AssertExact(result, lab.Mode);
        var after = await RedisAdmin.SentinelPrimaryAsync(connectionString, ct);
        after.ShouldNotBeNull();
        after.Port.ShouldNotBe(primaryPort, "the Sentinels failed the frozen primary over");
        var replication = await Poll.ForAsync(() => InfoReplicationAsync(primaryPort), r => r.Contains("role:slave", StringComparison.Ordinal)
            && r.Contains($"master_port:{after.Port}", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            $"{node}, continued, is turned into a replica of the new primary", cancellationToken: ct);
        replication.ShouldContain("role:slave");
    }

    /// <summary>
    /// The primary cut off from its replicas and the Sentinels while 600 messages flow, its clients still connected and served
    /// (the dashboard's Isolate from peers: the peers' user switched off on it): the Sentinels promote a replica, and the old
    /// primary, which no longer hears a replica, refuses writes (min-replicas-to-write) while it still answers reads: the
    /// clients see two primaries. Healed once the replica is promoted, it becomes a replica of the new primary. The output
    /// must be every seq once, in order.
    /// </summary>
    [Fact]
    public async Task The_primary_cut_off_from_its_peers_is_replaced_rejoins_as_a_replica_and_the_output_stays_exact()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        var (node, primaryPort, _) = await lab.DataNodesAsync(ct);
        var began = DateTimeOffset.UtcNow;
        FaultResult? isolated = null;
        FaultResult? healed = null;
        try
        {
            var result = await OrderedChaos.RunAsync(lab, $"the Redis primary {node} cut off from its replicas and the Sentinels (clients still connected), healed after the failover",
                async _ =>
                {
                    isolated = await lab.Faults.Servers.IsolateAsync(node, ct);
                    healed = await lab.Faults.Servers.HealAsync(node, ct);
                    return $"{isolated}; {healed}";
                });

            ChaosLog.Write($"Redis primary isolated: failover {isolated?.Took.TotalMilliseconds:0} ms ({isolated?.Detail}); healed in {healed?.Took.TotalMilliseconds:0} ms ({healed?.Detail})");
            ChaosLog.Write("The Sentinels' events:\n" + string.Join('\n', lab.SentinelEvents(began)));
            OrderingChaosTests.AssertExact(result, lab.Mode);
        }
        finally
        {
            if (healed is null)
            {
                await lab.Faults.Servers.HealAsync(node, CancellationToken.None);
            }
        }

        var after = await RedisAdmin.SentinelPrimaryAsync(connectionString, ct);
        after.ShouldNotBeNull();
        after.Port.ShouldNotBe(primaryPort, "the Sentinels replaced the primary they could not reach");
        var replication = await InfoReplicationAsync(primaryPort);
        replication.ShouldContain("role:slave", customMessage: "healed, the old primary follows the new one");
        replication.ShouldContain($"master_port:{after.Port}");
        replication.ShouldContain("master_link_status:up");
    }

    /// <summary>A replica cut off from its peers (Isolate from peers on the dashboard): the primary stops counting it and it
    /// keeps serving reads to its own clients; healed, it replicates from the primary again. The primary never changes.</summary>
    [Fact]
    public async Task A_replica_cut_off_from_its_peers_is_dropped_by_the_primary_and_replicates_again_when_healed()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        var (_, primaryPort, nodes) = await lab.DataNodesAsync(ct);
        var replica = nodes.First(n => n.Port != primaryPort);
        FaultResult? healed = null;
        try
        {
            var isolated = await lab.Faults.Servers.IsolateAsync(replica.Name, ct);
            ChaosLog.Write($"Redis replica isolated: {isolated}");
            (await InfoReplicationAsync(primaryPort)).ShouldContain("connected_slaves:1", customMessage: "the primary counts only the replica it can still reach");
            (await InfoReplicationAsync(replica.Port)).ShouldContain("master_link_status:down", customMessage: "the isolated replica's link to its primary is cut");
            healed = await lab.Faults.Servers.HealAsync(replica.Name, ct);
            ChaosLog.Write($"Redis replica healed: {healed}");
        }
        finally
        {
            if (healed is null)
            {
                await lab.Faults.Servers.HealAsync(replica.Name, CancellationToken.None);
            }
        }

        (await RedisAdmin.SentinelPrimaryAsync(connectionString, ct))!.Port.ShouldBe(primaryPort, "cutting a replica off fails nothing over");
        await Poll.UntilAsync(async () => (await InfoReplicationAsync(primaryPort)).Contains("connected_slaves:2", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the primary counts both replicas again", cancellationToken: ct);
    }

    private async Task<string> InfoReplicationAsync(int port) =>
        await RedisAdmin.InfoReplicationAsync(port, ConfigurationOptions.Parse(await lab.GetConnectionStringAsync(ResourceNames.Cache)).Password ?? "");
}
