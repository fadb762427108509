using System.Net.Http.Json;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>One named fault of a pipeline's library, and the part of the lab it hits (two faults of one compound schedule
/// never hit the same part: killing a server that another fault is pausing tells nothing).</summary>
public sealed record FaultSpec<TLab>(string Name, string Target, Func<TLab, Task<string>> Inject);

/// <summary>
/// The named faults of each pipeline: the whole fault library (kill -9 and graceful stops of replicas and leaders, server
/// restarts, dropped connections, a paused Redis, network delay and cut through the fault proxy). The CI profile runs
/// named ones once; the long profile draws compound schedules of them from a seed: the same seed, the same schedules.
/// </summary>
public static class FaultSchedule
{
    public static readonly IReadOnlyList<FaultSpec<OrderingChaosFixture>> OrderingLibrary =
    [
        new("kill-processor", "processor", async lab => (await lab.Faults.Processes.KillAsync(ResourceNames.Processor)).ToString()),
        new("stop-processor", "processor", async lab => (await lab.Faults.Processes.StopAsync(ResourceNames.Processor)).ToString()),
        new("kill-leader", "sequencer", async lab => (await lab.Faults.Processes.KillAsync(await SequencerLeaderAsync(lab))).ToString()),
        new("stop-leader", "sequencer", async lab => (await lab.Faults.Processes.StopAsync(await SequencerLeaderAsync(lab))).ToString()),
        new("drop-redis-connections", "redis", async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Cache)).ToString()),
        new("restart-redis", "redis", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Cache, RestartKind.Kill)).ToString()),
        new("restart-redis-graceful", "redis", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Cache, RestartKind.Graceful)).ToString()),
        new("pause-redis", "redis", async lab => (await lab.Faults.Servers.PauseRedisAsync(ResourceNames.Cache, TimeSpan.FromSeconds(2))).ToString()),
        new("delay-redis-network", "redis", lab => ProxyAsync(lab.Faults.Proxies[ResourceNames.Cache], "Redis", delay: TimeSpan.FromMilliseconds(50), cut: TimeSpan.Zero)),
        new("cut-redis-network", "redis", lab => ProxyAsync(lab.Faults.Proxies[ResourceNames.Cache], "Redis", delay: TimeSpan.FromMilliseconds(20), cut: TimeSpan.FromSeconds(2))),
        new("restart-postgres", "postgres", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Postgres, RestartKind.Kill)).ToString()),
        new("drop-postgres-connections", "postgres", async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Postgres)).ToString()),
    ];

    public static readonly IReadOnlyList<FaultSpec<RabbitChaosFixture>> RabbitLibrary =
    [
        new("kill-consumer", "consumer", async lab => (await lab.Faults.Processes.KillAsync(ResourceNames.Consumer)).ToString()),
        new("stop-consumer", "consumer", async lab => (await lab.Faults.Processes.StopAsync(ResourceNames.Consumer)).ToString()),
        new("restart-rabbitmq", "rabbitmq", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Messaging, RestartKind.Graceful)).ToString()),
        new("drop-rabbitmq-connections", "rabbitmq", async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Messaging)).ToString()),
        new("restart-postgres", "postgres", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Postgres, RestartKind.Kill)).ToString()),
        new("drop-postgres-connections", "postgres", async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Postgres)).ToString()),
        new("restart-redis", "redis", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Cache, RestartKind.Kill)).ToString()),
        new("pause-redis", "redis", async lab => (await lab.Faults.Servers.PauseRedisAsync(ResourceNames.Cache, TimeSpan.FromSeconds(2))).ToString()),
        new("drop-redis-connections", "redis", async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Cache)).ToString()),
        new("restart-etcd", "etcd", async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Etcd, RestartKind.Kill)).ToString()),
        new("kill-coordinator-leader", "coordinator", async lab => (await lab.Faults.Processes.KillAsync(await CoordinatorLeaderAsync(lab))).ToString()),
    ];

    public static readonly IReadOnlyDictionary<string, Func<OrderingChaosFixture, Task<string>>> Ordering = OrderingLibrary.ToDictionary(f => f.Name, f => f.Inject);

    public static readonly IReadOnlyDictionary<string, Func<RabbitChaosFixture, Task<string>>> Rabbit = RabbitLibrary.ToDictionary(f => f.Name, f => f.Inject);

    /// <summary>The fault proxy's network faults: added latency for a while, then (optionally) a cut, then restored. The
    /// durations are the fault's own shape, part of the schedule (not waits for a condition).</summary>
    private static async Task<string> ProxyAsync(TcpFaultProxy proxy, string server, TimeSpan delay, TimeSpan cut)
    {
        proxy.Delay(delay);
        await Task.Delay(TimeSpan.FromSeconds(2));
        if (cut > TimeSpan.Zero)
        {
            proxy.Cut();
            await Task.Delay(cut);
        }

        proxy.Restore();
        return cut > TimeSpan.Zero
            ? $"proxy in front of {server}: +{delay.TotalMilliseconds:0} ms for 2 s, cut for {cut.TotalSeconds:0} s, restored"
            : $"proxy in front of {server}: +{delay.TotalMilliseconds:0} ms for 2 s, restored";
    }

    /// <summary>kill -9 of the sequencer replica that leads <paramref name="partition"/> (partitioned labs).</summary>
    public static async Task<string> KillPartitionLeaderAsync(OrderingChaosFixture lab, int partition) =>
        (await lab.Faults.Processes.KillAsync(await SequencerLeaderAsync(lab, partition))).ToString();

    /// <summary>The sequencer replica that holds the lock of <paramref name="partition"/> (its token names the instance).</summary>
    public static async Task<string> SequencerLeaderAsync(OrderingChaosFixture lab, int partition = 0)
    {
        var instance = await lab.Client.LeaderAsync(partition);
        instance.ShouldNotBeNull($"a sequencer holds partition {partition}'s lock");
        return lab.Faults.Resources.ReplicaOf(ResourceNames.Sequencer, instance)?.InstanceId
            ?? throw new ShouldAssertException($"the lock names {instance}, none of {string.Join(", ", lab.Faults.Resources.Replicas(ResourceNames.Sequencer).Select(r => r.InstanceId))}");
    }

    /// <summary>The coordinator replica whose process leads (from the coordinators' /leader view).</summary>
    public static async Task<string> CoordinatorLeaderAsync(RabbitChaosFixture lab)
    {
        var client = lab.Coordinator ?? throw new InvalidOperationException("Only phase 3 has coordinators.");
        var pid = await Poll.ForAsync(async () => (await client.GetFromJsonAsync<LeaderView>("/leader"))?.LeaderProcessId,
            p => p is not null, TimeSpan.FromSeconds(30), "a coordinator leads");
        return lab.Faults.Resources.Replicas(ResourceNames.Coordinator)
            .Single(r => r.ProcessId is { } launcher && ProcessTree.Of(launcher).Contains(pid!.Value)).InstanceId;
    }

    private sealed record LeaderView(string? Leader, int? LeaderProcessId);
}
