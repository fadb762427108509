using System.Net.Http.Json;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// The named faults of each pipeline's scenarios (the CI profile runs each once; the long profile draws a random
/// sequence of them from a seed: the same seed, the same sequence).
/// </summary>
public static class FaultSchedule
{
    public static readonly IReadOnlyDictionary<string, Func<OrderingChaosFixture, Task<string>>> Ordering =
        new Dictionary<string, Func<OrderingChaosFixture, Task<string>>>
        {
            ["kill-processor"] = async lab => (await lab.Faults.Processes.KillAsync(ResourceNames.Processor)).ToString(),
            ["kill-leader"] = async lab => (await lab.Faults.Processes.KillAsync(await SequencerLeaderAsync(lab))).ToString(),
            ["stop-leader"] = async lab => (await lab.Faults.Processes.StopAsync(await SequencerLeaderAsync(lab))).ToString(),
            ["drop-redis-connections"] = async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Cache)).ToString(),
            ["restart-redis"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Cache, RestartKind.Kill)).ToString(),
            ["restart-postgres"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Postgres, RestartKind.Kill)).ToString(),
            ["pause-redis"] = async lab => (await lab.Faults.Servers.PauseRedisAsync(ResourceNames.Cache, TimeSpan.FromSeconds(2))).ToString(),
            ["cut-redis-network"] = async lab =>
            {
                var proxy = lab.Faults.Proxies[ResourceNames.Cache];
                // The fault's duration is part of the schedule (not a wait for a condition).
                proxy.Delay(TimeSpan.FromMilliseconds(20));
                await Task.Delay(TimeSpan.FromSeconds(2));
                proxy.Cut();
                await Task.Delay(TimeSpan.FromSeconds(2));
                proxy.Restore();
                return "proxy in front of Redis: +20 ms for 2 s, cut for 2 s, restored";
            },
        };

    public static readonly IReadOnlyDictionary<string, Func<RabbitChaosFixture, Task<string>>> Rabbit =
        new Dictionary<string, Func<RabbitChaosFixture, Task<string>>>
        {
            ["kill-consumer"] = async lab => (await lab.Faults.Processes.KillAsync(ResourceNames.Consumer)).ToString(),
            ["restart-rabbitmq"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Messaging, RestartKind.Graceful)).ToString(),
            ["drop-rabbitmq-connections"] = async lab => (await lab.Faults.Servers.DropConnectionsAsync(ResourceNames.Messaging)).ToString(),
            ["restart-postgres"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Postgres, RestartKind.Kill)).ToString(),
            ["restart-redis"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Cache, RestartKind.Kill)).ToString(),
            ["restart-etcd"] = async lab => (await lab.Faults.Servers.RestartAsync(ResourceNames.Etcd, RestartKind.Kill)).ToString(),
            ["kill-coordinator-leader"] = async lab => (await lab.Faults.Processes.KillAsync(await CoordinatorLeaderAsync(lab))).ToString(),
        };

    public static IReadOnlyList<string> OrderingFaults => [.. Ordering.Keys];

    public static IReadOnlyList<string> RabbitFaults => [.. Rabbit.Keys];

    /// <summary><paramref name="count"/> faults drawn from <paramref name="kinds"/> by a generator seeded with <paramref name="seed"/>.</summary>
    public static IReadOnlyList<string> Draw(int seed, int count, IReadOnlyList<string> kinds)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => kinds[random.Next(kinds.Count)])];
    }

    /// <summary>The sequencer replica that holds the lock (its token names the instance).</summary>
    public static async Task<string> SequencerLeaderAsync(OrderingChaosFixture lab)
    {
        var instance = await lab.Client.LeaderAsync();
        instance.ShouldNotBeNull("a sequencer holds the lock");
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
