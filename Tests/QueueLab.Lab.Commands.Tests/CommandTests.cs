using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using QueueLab.Lab.Commands;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Processes;
using QueueLab.Lab.Rabbit;
using QueueLab.Ordering;
using QueueLab.Testing;

namespace QueueLab.Lab.Commands.Tests;

/// <summary>
/// Every dashboard command, executed through the AppHost's resource command API against a running lab, and its effect
/// checked from outside (Redis, PostgreSQL, the coordinator's API, the processes).
/// </summary>
[Collection(CommandsCollection.Name)]
public sealed class CommandTests(CommandsFixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const string Ordering = OrderingCommands.ResourceName;
    private const string Rabbit = RabbitCommands.ResourceName;

    [Fact]
    public async Task Ordered_burst_produces_the_ordered_output_and_a_second_burst_while_it_runs_is_refused()
    {
        var first = lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "120"));
        await Poll.UntilAsync(() => lab.Runs.Active(Ordering) is not null || first.IsCompleted, Timeout, "the first burst runs", cancellationToken: TestContext.Current.CancellationToken);

        var second = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "120"));
        second.Success.ShouldBeFalse();
        second.Message.ShouldNotBeNull().ShouldContain("already running");

        var result = await first;
        result.Success.ShouldBeTrue(result.Why());
        result.Message.ShouldNotBeNull().ShouldContain("ordered-burst passed");
        var report = result.Message[(result.Message.IndexOf("report: ", StringComparison.Ordinal) + "report: ".Length)..].Trim();
        File.Exists(report).ShouldBeTrue($"the run's HTML report {report} exists");
        report.ShouldStartWith(lab.ReportDirectory);

        var verify = await lab.ExecuteAsync(Ordering, OrderingCommands.Verify);
        verify.Success.ShouldBeTrue(verify.Why());
        verify.Message.ShouldNotBeNull().ShouldContain("output exact");
        (await lab.Redis.ListLengthAsync(OrderingKeys.Default.Output)).ShouldBeGreaterThanOrEqualTo(120);
    }

    [Fact]
    public async Task Bad_arguments_fail_with_what_to_give_instead()
    {
        var burst = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "0"));
        burst.Success.ShouldBeFalse();
        burst.Message.ShouldBe("messages is '0'; use a whole number from 1 to 100000.");

        var soak = await lab.ExecuteAsync(Ordering, OrderingCommands.SoakStart, ("duration", "forever"));
        soak.Success.ShouldBeFalse();
        soak.Message.ShouldNotBeNull().ShouldContain("duration is 'forever'");

        var stop = await lab.ExecuteAsync(Rabbit, RabbitCommands.SoakStop);
        stop.Success.ShouldBeFalse();
        stop.Message.ShouldBe("No rabbit-soak is running.");
    }

    [Fact]
    public async Task Clear_empties_pipeline_b_and_the_next_run_starts_at_seq_1()
    {
        var clear = await lab.ExecuteAsync(Ordering, OrderingCommands.Clear);
        clear.Success.ShouldBeTrue(clear.Why());
        (await lab.Redis.ListLengthAsync(OrderingKeys.Default.Output)).ShouldBe(0);
        (await lab.Redis.KeyExistsAsync(OrderingKeys.Default.NextSeq)).ShouldBeFalse();

        var burst = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "30"));
        burst.Success.ShouldBeTrue(burst.Why());
        var verify = await lab.ExecuteAsync(Ordering, OrderingCommands.Verify);
        verify.Success.ShouldBeTrue(verify.Why());
        verify.Message.ShouldNotBeNull().ShouldContain("30 messages in seq order (seqs 1..30");
    }

    [Fact]
    public async Task An_ordered_soak_runs_until_stopped_and_refuses_a_burst_meanwhile()
    {
        var start = await lab.ExecuteAsync(Ordering, OrderingCommands.SoakStart, ("duration", "5m"), ("rate", "40"));
        start.Success.ShouldBeTrue(start.Why());
        var before = await lab.Redis.ListLengthAsync(OrderingKeys.Default.Output);
        await Poll.UntilAsync(async () => await lab.Redis.ListLengthAsync(OrderingKeys.Default.Output) >= before + 40, Timeout,
            "the soak's messages come out", cancellationToken: TestContext.Current.CancellationToken);

        var burst = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "10"));
        burst.Success.ShouldBeFalse();
        burst.Message.ShouldNotBeNull().ShouldContain("stop the soak first");

        var stop = await lab.ExecuteAsync(Ordering, OrderingCommands.SoakStop);
        stop.Success.ShouldBeTrue(stop.Why());
        stop.Message.ShouldNotBeNull().ShouldContain("ordered-soak stopped after");
        stop.Message.ShouldContain("output exact");
        lab.Runs.Active(Ordering).ShouldBeNull();
    }

    [Fact]
    public async Task The_pipeline_resource_shows_the_sequencer_leader_and_its_lag()
    {
        var name = OrderingPartitionsView.PropertyName(0, 1);
        string? shown = null;
        await Poll.UntilAsync(async () =>
        {
            var leader = await lab.Ordering.LeaderAsync();
            shown = lab.App.ResourceNotifications.TryGetCurrentState(Ordering, out var state)
                ? state.Snapshot.Properties.FirstOrDefault(p => p.Name == name)?.Value as string
                : null;
            return leader is not null && shown is not null && shown.Contains($"leader sequencer-{leader}", StringComparison.Ordinal);
        }, Timeout, "the ordering resource names the replica that holds the lock", cancellationToken: TestContext.Current.CancellationToken);

        shown.ShouldNotBeNull().ShouldContain("lag ");
        shown.ShouldContain("next seq ");
    }

    [Fact]
    public async Task Crashing_a_processor_and_the_sequencer_leader_ends_their_processes_and_the_output_stays_exact()
    {
        var processor = lab.Resources.Replicas(ResourceNames.Processor).First(r => r.IsRunning);
        var processorTree = ProcessTree.Of(processor.ProcessId!.Value);
        var leader = await lab.Ordering.LeaderAsync();

        var crash = await lab.ExecuteAsync(processor.InstanceId, FaultCommands.Crash);
        crash.Success.ShouldBeTrue(crash.Why());
        processorTree.ShouldAllBe(pid => !ProcessTree.IsAlive(pid));

        var crashLeader = await lab.ExecuteAsync(Ordering, OrderingCommands.CrashLeader);
        crashLeader.Success.ShouldBeTrue(crashLeader.Why());
        crashLeader.Message.ShouldNotBeNull().ShouldContain(leader.ShouldNotBeNull());

        // The lab carries on with one processor and the standby sequencer: a burst comes out in order.
        var burst = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "40"));
        burst.Success.ShouldBeTrue(burst.Why());
        (await lab.Faults.Processes.StartAsync(processor.InstanceId, TestContext.Current.CancellationToken)).Detail.ShouldBe("running and healthy");
        var crashedSequencer = lab.Resources.Replicas(ResourceNames.Sequencer).Single(r => !r.IsRunning);
        crashedSequencer.InstanceId.ShouldEndWith(leader);
        (await lab.Faults.Processes.StartAsync(crashedSequencer.InstanceId, TestContext.Current.CancellationToken)).Detail.ShouldBe("running and healthy");

        var again = await lab.ExecuteAsync(processor.InstanceId, FaultCommands.Crash);
        again.Success.ShouldBeTrue(again.Why());
        var twice = await lab.ExecuteAsync(processor.InstanceId, FaultCommands.Crash);
        twice.Success.ShouldBeFalse();
        twice.Message.ShouldNotBeNull().ShouldContain("nothing to crash");
        await lab.Faults.Processes.StartAsync(processor.InstanceId, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Rabbit_burst_soak_and_verify_through_the_commands()
    {
        var burst = await lab.ExecuteAsync(Rabbit, RabbitCommands.Burst, ("messages", "150"));
        burst.Success.ShouldBeTrue(burst.Why());
        burst.Message.ShouldNotBeNull().ShouldContain("rabbit-burst passed");

        var start = await lab.ExecuteAsync(Rabbit, RabbitCommands.SoakStart, ("duration", "5m"), ("rate", "30"));
        start.Success.ShouldBeTrue(start.Why());
        var logged = await ProcessingLogRowsAsync();
        await Poll.UntilAsync(async () => await ProcessingLogRowsAsync() >= logged + 30, Timeout, "the soak's messages are processed",
            cancellationToken: TestContext.Current.CancellationToken);
        var stop = await lab.ExecuteAsync(Rabbit, RabbitCommands.SoakStop);
        stop.Success.ShouldBeTrue(stop.Why());
        stop.Message.ShouldNotBeNull().ShouldContain("rabbit-soak stopped after");

        var verify = await lab.ExecuteAsync(Rabbit, RabbitCommands.Verify);
        verify.Success.ShouldBeTrue(verify.Why());
        verify.Message.ShouldNotBeNull().ShouldContain("exactly once (phase 3)");
    }

    [Fact]
    public async Task Set_queue_priority_goes_through_the_coordinator_and_a_bad_one_is_refused()
    {
        using var coordinator = lab.App.CreateHttpClient(ResourceNames.Coordinator);
        var set = await lab.ExecuteAsync(Rabbit, RabbitCommands.SetPriority, ("queue", "queue-2"), ("priority", "3"));
        set.Success.ShouldBeTrue(set.Why());
        using (var queues = JsonDocument.Parse(await coordinator.GetStringAsync(new Uri("/queues", UriKind.Relative), TestContext.Current.CancellationToken)))
        {
            queues.RootElement.EnumerateArray().Single(q => q.GetProperty("name").GetString() == "queue-2").GetProperty("priority").GetInt32().ShouldBe(3);
        }

        var unknown = await lab.ExecuteAsync(Rabbit, RabbitCommands.SetPriority, ("queue", "no-such-queue"), ("priority", "2"));
        unknown.Success.ShouldBeFalse();
        unknown.Message.ShouldNotBeNull().ShouldContain("does not exist");

        var zero = await lab.ExecuteAsync(Rabbit, RabbitCommands.SetPriority, ("queue", "queue-2"), ("priority", "0"));
        zero.Success.ShouldBeFalse();
        zero.Message.ShouldBe("priority is '0'; use a whole number from 1 to 1000.");

        (await lab.ExecuteAsync(Rabbit, RabbitCommands.SetPriority, ("queue", "queue-2"), ("priority", "1"))).Success.ShouldBeTrue();
    }

    [Fact]
    public async Task Server_faults_drop_connections_pause_redis_and_restart_on_the_same_data()
    {
        foreach (var server in new[] { ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres })
        {
            var drop = await lab.ExecuteAsync(server, FaultCommands.DropConnections);
            drop.Success.ShouldBeTrue(drop.Why());
            drop.Message.ShouldNotBeNull().ShouldContain("client connections closed");
        }

        var pause = await lab.ExecuteAsync(ResourceNames.Cache, FaultCommands.Pause, ("seconds", "1"));
        pause.Success.ShouldBeTrue(pause.Why());

        var marker = "queuelab:commands-test:" + Guid.NewGuid().ToString("N");
        await lab.Redis.StringSetAsync(marker, "kept");
        var restart = lab.ExecuteAsync(ResourceNames.Cache, FaultCommands.RestartServer, ("how", "graceful"));
        await Poll.UntilAsync(() => lab.Gates.Held.Any(k => k.StartsWith("fault:cache", StringComparison.Ordinal)) || restart.IsCompleted,
            Timeout, "the restart has begun", cancellationToken: TestContext.Current.CancellationToken);
        var twice = await lab.ExecuteAsync(ResourceNames.Cache, FaultCommands.RestartServer);
        twice.Success.ShouldBeFalse();
        twice.Message.ShouldNotBeNull().ShouldContain("still being applied");

        var restarted = await restart;
        restarted.Success.ShouldBeTrue(restarted.Why());
        await Poll.UntilAsync(async () => await lab.Redis.StringGetAsync(marker) == "kept", Timeout,
            "the key written before the restart is there after it", cancellationToken: TestContext.Current.CancellationToken);
        await lab.Redis.KeyDeleteAsync(marker);

        // The pipeline recovers: a burst after the restart comes out in order.
        var burst = await lab.ExecuteAsync(Ordering, OrderingCommands.Burst, ("messages", "24"));
        burst.Success.ShouldBeTrue(burst.Why());
    }

    private Task<long> ProcessingLogRowsAsync() => lab.Rabbit.LogCountAsync(MessageIdPattern.All, cancellationToken: TestContext.Current.CancellationToken);
}
