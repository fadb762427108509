using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QueueLab.Ordering.Redis;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.Ordering.Tests.Integration;

[Collection(OrderingCollection.Name)]
public sealed class FailoverTests(OrderingFixture lab)
{
    [Fact]
    public async Task Graceful_stop_of_the_sequencer_leader_mid_run_hands_over_to_the_standby_and_keeps_the_output_exact()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var expected = Enumerable.Range(0, 300).Select(i => first + i).ToList();
        var token = (string)(await lab.Db.StringGetAsync(lab.Keys.SequencerLock))!;
        var epochBefore = (long)await lab.Db.StringGetAsync(lab.Keys.SequencerEpoch);
        var instances = lab.Resources.Snapshots(ResourceNames.Sequencer).Keys.ToList();
        var instance = token[..token.LastIndexOf(':')];
        var leaderId = instances.SingleOrDefault(id => id.EndsWith(instance, StringComparison.Ordinal) || instance.EndsWith(id, StringComparison.Ordinal));
        leaderId.ShouldNotBeNull($"the lock token {token} names one of the replicas {string.Join(", ", instances)}");

        await lab.PushAsync(expected.Select(seq => OrderingFixture.Message(seq)));
        await Poll.UntilAsync(async () => await lab.Db.ListLengthAsync(lab.Keys.Output) >= outputStart + 50,
            TimeSpan.FromSeconds(30), "the first results are out", cancellationToken: TestContext.Current.CancellationToken);
        await lab.App.ResourceCommands.ExecuteCommandAsync(leaderId, KnownResourceCommands.StopCommand, TestContext.Current.CancellationToken);
        try
        {
            var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

            output.Select(m => m.Seq).ShouldBe(expected);
            var newToken = (string?)await lab.Db.StringGetAsync(lab.Keys.SequencerLock);
            newToken.ShouldNotBeNull();
            newToken.ShouldNotBe(token);
            ((long)await lab.Db.StringGetAsync(lab.Keys.SequencerEpoch)).ShouldBeGreaterThan(epochBefore);
            var sequenced = output.Select(m => m.SequencedAt).Order().ToList();
            var longestStall = sequenced.Zip(sequenced.Skip(1), (a, b) => b - a).Max();
            TestContext.Current.TestOutputHelper?.WriteLine($"longest output stall across the handover: {longestStall.TotalMilliseconds:0} ms");
        }
        finally
        {
            // Bring the stopped replica back as a standby for the tests that follow.
            var started = await lab.App.ResourceCommands.ExecuteCommandAsync(leaderId, KnownResourceCommands.StartCommand, CancellationToken.None);
            started.Success.ShouldBeTrue(started.Message);
            await Poll.UntilAsync(() => lab.Resources.Snapshots(ResourceNames.Sequencer).TryGetValue(leaderId, out var e)
                    && e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy,
                TimeSpan.FromSeconds(60), $"{leaderId} runs again", cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Kill_9_of_a_processor_mid_burst_loses_nothing_and_duplicates_nothing()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var expected = Enumerable.Range(0, 200).Select(i => first + i).ToList();
        var victimId = lab.Resources.Replicas(ResourceNames.Processor).First(r => r.IsRunning).InstanceId;

        await lab.PushAsync(expected.Select(seq => OrderingFixture.Message(seq)));
        await Poll.UntilAsync(async () => await lab.Db.ListLengthAsync(lab.Keys.Output) >= outputStart + 30,
            TimeSpan.FromSeconds(30), "the first results are out", cancellationToken: TestContext.Current.CancellationToken);
        var inFlightBefore = (await lab.Db.SetMembersAsync(lab.Keys.Processors)).Select(v => v.ToString()).ToList();
        await lab.Faults.Processes.KillAsync(victimId, TestContext.Current.CancellationToken);

        try
        {
            var output = await lab.Probe.WaitForOutputAsync(outputStart, expected.Count, TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

            output.Select(m => m.Seq).ShouldBe(expected);
            (await lab.Db.ListLengthAsync(lab.Keys.Output)).ShouldBe(outputStart + expected.Count, "nothing came out twice");
            var sequenced = output.Select(m => m.SequencedAt).Order().ToList();
            var longestStall = sequenced.Zip(sequenced.Skip(1), (a, b) => b - a).Max();
            TestContext.Current.TestOutputHelper?.WriteLine($"longest output stall after kill -9 of {victimId}: {longestStall.TotalMilliseconds:0} ms");
            var survivors = (await lab.Db.SetMembersAsync(lab.Keys.Processors)).Select(v => v.ToString()).ToList();
            survivors.Count.ShouldBe(2, $"the dead processor was reaped (before: {string.Join(", ", inFlightBefore)})");
        }
        finally
        {
            var started = await lab.App.ResourceCommands.ExecuteCommandAsync(victimId, KnownResourceCommands.StartCommand, CancellationToken.None);
            started.Success.ShouldBeTrue(started.Message);
            await Poll.UntilAsync(async () => await lab.Db.SetLengthAsync(lab.Keys.Processors) == 3,
                TimeSpan.FromSeconds(60), $"{victimId} is back and registered", cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_message_left_in_a_live_processors_in_flight_list_is_adopted_and_comes_out_in_order()
    {
        var (first, outputStart) = await lab.BeginAsync();
        string? processorId = null;
        foreach (var id in (await lab.Db.SetMembersAsync(lab.Keys.Processors)).Select(v => v.ToString()))
        {
            if (await lab.Db.KeyExistsAsync(lab.Keys.Heartbeat(id)))
            {
                processorId = id;
                break;
            }
        }

        processorId.ShouldNotBeNull("a live processor");

        // As if a take's reply had been lost to a dropped connection after Redis moved the message: it is in a live
        // processor's in-flight list and none of its handlers knows it. The sequencer needs it before the rest.
        await lab.Db.ListRightPushAsync(lab.Keys.InFlight(processorId), OrderingFixture.Message(first));
        await lab.PushAsync(Enumerable.Range(1, 4).Select(i => OrderingFixture.Message(first + i)));

        var output = await lab.Probe.WaitForOutputAsync(outputStart, 5, TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        output.Select(m => m.Seq).ShouldBe(Enumerable.Range(0, 5).Select(i => first + i));
        (await lab.Db.ListLengthAsync(lab.Keys.InFlight(processorId))).ShouldBe(0, "the adopted message left the in-flight list when it completed");
    }

    [Fact]
    public async Task A_stale_fencing_token_cannot_emit()
    {
        var (first, outputStart) = await lab.BeginAsync();
        var store = new SequencerStore(lab.Db, lab.Keys);
        var token = (string)(await lab.Db.StringGetAsync(lab.Keys.SequencerLock))!;
        var epoch = (long)await lab.Db.StringGetAsync(lab.Keys.SequencerEpoch);
        var cursor = (string?)await lab.Db.StringGetAsync(lab.Keys.Cursor);

        // Neither an old leader (an older epoch, even with the token that holds the lock) nor a sequencer that
        // does not hold the lock (the current epoch) may emit or move anything.
        (await store.SequenceAsync(token, epoch - 1, 100, 100, DateTimeOffset.UtcNow)).Status.ShouldBe(SequenceStatus.StaleEpoch);
        (await store.SequenceAsync("a-deposed-leader:0000", epoch, 100, 100, DateTimeOffset.UtcNow)).Status.ShouldBe(SequenceStatus.NotLockHolder);
        (await store.ExtendAsync("a-deposed-leader:0000", TimeSpan.FromSeconds(1))).ShouldBeFalse();
        (await store.ReleaseAsync("a-deposed-leader:0000")).ShouldBeFalse();

        (await lab.Db.ListLengthAsync(lab.Keys.Output)).ShouldBe(outputStart);
        ((string?)await lab.Db.StringGetAsync(lab.Keys.Cursor)).ShouldBe(cursor);
        ((long)await lab.Db.StringGetAsync(lab.Keys.NextSeq)).ShouldBe(first);
        ((string?)await lab.Db.StringGetAsync(lab.Keys.SequencerLock)).ShouldBe(token, "the real leader keeps its lock");
    }
}
