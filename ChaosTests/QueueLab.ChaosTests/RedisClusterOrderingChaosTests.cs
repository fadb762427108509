using QueueLab.Lab.Faults;
using QueueLab.Ordering;
using QueueLab.Testing;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline B in three partitions on a local Redis Cluster of three primaries, in global order: the services connect
/// through the same connection string name, every partition's scripts run on the primary that holds its hash tag, and the
/// output is read in global order by the documented rule.
/// </summary>
[Collection(RedisClusterOrderingChaosCollection.Name)]
public sealed class RedisClusterOrderingChaosTests(RedisClusterOrderingChaosFixture lab) : RedisClusterScenarios(lab, "Redis Cluster");

/// <summary>The same cluster scenarios with pipeline B in per-key order: each run's 64 keys checked per key.</summary>
[Collection(KeyedRedisClusterOrderingChaosCollection.Name)]
public sealed class KeyedRedisClusterOrderingChaosTests(KeyedRedisClusterOrderingChaosFixture lab) : RedisClusterScenarios(lab, "Redis Cluster, per key");

/// <summary>
/// The faults of a three-primary Redis Cluster lab (3 partitions, one per primary), in either ordering mode: 600 messages at
/// 100/s with the fault once 30% is out, then the invariant check in the lab's mode and a bounded stall.
/// </summary>
public abstract class RedisClusterScenarios(OrderingChaosFixture lab, string label) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => lab.SkipReason is null ? new(lab.RestoreAsync()) : ValueTask.CompletedTask;

    [Fact]
    public async Task Each_primary_holds_one_partition_and_a_partition_leader_killed_mid_burst_fails_over()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var result = await OrderedChaos.RunAsync(lab, $"{label}: kill -9 of partition 2's leader", _ => FaultSchedule.KillPartitionLeaderAsync(lab, 2));

        OrderingChaosTests.AssertExact(result, lab.Mode);
        result.LongestStall.ShouldBeLessThan(4 * OrderingChaosFixture.LockTtl);

        // Which primary serves each partition's keys: one each.
        var owners = new List<string>();
        foreach (var keys in lab.Client.Partitions)
        {
            var (owner, slot) = PrimaryOf(keys);
            (await owner.ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot)).ToString().ShouldNotBe("0", $"partition {keys.Partition}'s keys are on {owner.EndPoint}");
            owners.Add(owner.EndPoint.ToString()!);
        }

        owners.Distinct().Count().ShouldBe(3, $"the three partitions are on three primaries: {string.Join(", ", owners)}");
    }

    [Fact]
    public async Task A_cluster_primary_killed_and_restarted_on_its_data()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        // The primary of partition 1's hash tag: its partition stops until it is back, the others go on.
        var node = await NodeOfPartitionAsync(1);
        var result = await OrderedChaos.RunAsync(lab, $"{label}: kill -9 and restart of primary {node} (AOF)",
            async _ => (await lab.Faults.Servers.RestartAsync(node, RestartKind.Kill)).ToString());

        OrderingChaosTests.AssertExact(result, lab.Mode);
    }

    /// <summary>The primary that serves a partition's hash slot, and the slot.</summary>
    private (IServer Server, int Slot) PrimaryOf(OrderingKeys keys)
    {
        var slot = ClusterSlots.Of(keys.Input.ToString());
        return (lab.Client.Redis.GetServers().Single(s => s.ClusterConfiguration?.GetBySlot(slot)?.EndPoint?.Equals(s.EndPoint) == true), slot);
    }

    [Fact]
    public async Task Every_client_connection_dropped_on_every_primary()
    {
        if (lab.SkipReason is { } why)
        {
            Assert.Skip(why);
        }

        var result = await OrderedChaos.RunAsync(lab, $"{label}: client connections dropped on every primary",
            _ => FaultSchedule.Ordering["drop-redis-connections"](lab));

        OrderingChaosTests.AssertExact(result, lab.Mode);
        result.Faults.ShouldHaveSingleItem().Fault.ShouldNotContain(" 0 client connections", Case.Sensitive, "the processors' and sequencers' connections to the three primaries were closed");
        result.LongestStall.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }


    private async Task<string> NodeOfPartitionAsync(int partition)
    {
        var (owner, _) = PrimaryOf(lab.Client.Partitions[partition]);
        var port = ((System.Net.IPEndPoint)owner.EndPoint).Port;
        foreach (var name in lab.RedisNodes)
        {
            var connectionString = await lab.GetConnectionStringAsync(name);
            if (connectionString is not null && connectionString.Contains($":{port},", StringComparison.Ordinal))
            {
                return name;
            }
        }

        throw new ShouldAssertException($"no cluster node resource listens on {port}");
    }
}
