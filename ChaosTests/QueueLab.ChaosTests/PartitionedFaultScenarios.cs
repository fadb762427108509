using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// The faults every partitioned lab of pipeline B goes through, in either ordering mode: kill -9 of a partition's leader
/// and of a processor mid-burst, and every Redis client connection dropped; each run checked by the invariant checker in
/// the lab's mode (global order, or per key) with its stall bounded. The derived classes name the lab (their collection).
/// </summary>
public abstract class PartitionedFaultScenarios(OrderingChaosFixture lab, string label) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => new(lab.RestoreAsync());

    public ValueTask DisposeAsync() => new(lab.RestoreAsync());

    [Fact]
    public async Task Kill_9_of_a_partition_leader_mid_burst_fails_over_that_partition()
    {
        var result = await OrderedChaos.RunAsync(lab, $"{label}: kill -9 of partition 1's leader", _ => FaultSchedule.KillPartitionLeaderAsync(lab, 1));

        OrderingChaosTests.AssertExact(result, lab.Mode);
        ChaosLog.Write($"{label}, kill -9 of a partition leader: longest stall {result.LongestStall.TotalMilliseconds:0} ms (target 1,500 ms: "
            + (result.LongestStall < TimeSpan.FromSeconds(1.5) ? "met" : "missed") + ")");
        result.LongestStall.ShouldBeLessThan(4 * OrderingChaosFixture.LockTtl, "the other sequencer takes the partition over within a few lock TTLs");
    }

    [Fact]
    public async Task Kill_9_of_a_processor_mid_burst()
    {
        var result = await OrderedChaos.RunAsync(lab, $"{label}: kill -9 of a processor", _ => FaultSchedule.Ordering["kill-processor"](lab));

        OrderingChaosTests.AssertExact(result, lab.Mode);
        result.LongestStall.ShouldBeLessThan(TimeSpan.FromSeconds(5), "each partition's reaper returns the dead processor's messages");
    }

    [Fact]
    public async Task Every_Redis_client_connection_dropped()
    {
        var result = await OrderedChaos.RunAsync(lab, $"{label}: Redis client connections dropped", _ => FaultSchedule.Ordering["drop-redis-connections"](lab));

        OrderingChaosTests.AssertExact(result, lab.Mode);
        result.LongestStall.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

}
