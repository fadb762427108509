using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;
using QueueLab.Ordering.Scripts;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>The Lua scripts against the lab's real Redis, each test under its own key prefix.</summary>
[Collection(OrderingCollection.Name)]
public sealed class ScriptTests(OrderingFixture lab)
{
    private readonly OrderingKeys _keys = new("test:" + Guid.NewGuid().ToString("N")[..12]);

    private IDatabase Db => lab.Db;

    private async Task AddResultAsync(long seq, string? payload = null)
    {
        var t = DateTimeOffset.UtcNow;
        var body = OrderingJson.Serialize(new ProcessedResult(seq, payload ?? $"r{seq}", t, t, t, "test", 1));
        await Db.StreamAddAsync(_keys.Results, [new("seq", seq), new("kind", "r"), new("tp", ""), new("at", t.ToUnixTimeMilliseconds()), new("body", body)]);
    }

    private Task AddSkipAsync(long seq) =>
        Db.StreamAddAsync(_keys.Results, [new("seq", seq), new("kind", "s"), new("tp", ""), new("at", ""), new("body", "processing-failed")]);

    private async Task<List<long>> OutputSeqsAsync() =>
        [.. (await Db.ListRangeAsync(_keys.Output)).Select(v => OrderingJson.DeserializeOutput(v!).Seq)];

    private async Task<(SequencerStore Store, string Token, long Epoch)> LeadAsync(string token = "leader-a:1")
    {
        var store = new SequencerStore(Db, _keys);
        var epoch = await store.TryAcquireAsync(token, TimeSpan.FromSeconds(30));
        epoch.ShouldBeGreaterThan(0);
        return (store, token, epoch);
    }

    [Fact]
    public async Task Sequence_emits_consecutive_seqs_buffers_early_ones_drops_duplicates_and_passes_skips()
    {
        var (store, token, epoch) = await LeadAsync();
        await AddResultAsync(3);
        await AddResultAsync(2);

        var waiting = await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow);
        waiting.Emitted.ShouldBe(0);
        waiting.BufferDepth.ShouldBe(2);
        waiting.NextSeq.ShouldBe(1);

        await AddResultAsync(1);
        await AddResultAsync(2, "a duplicate of 2");
        await AddSkipAsync(4);
        await AddResultAsync(5);
        var batch = await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow);

        batch.Status.ShouldBe(SequenceStatus.Ok);
        batch.Emitted.ShouldBe(4);
        batch.Skipped.ShouldBe(1);
        batch.Dropped.ShouldBe(1);
        batch.NextSeq.ShouldBe(6);
        batch.BufferDepth.ShouldBe(0);
        batch.EmittedResults.Select(r => r.Seq).ShouldBe([1, 2, 3, 5]);
        (await OutputSeqsAsync()).ShouldBe([1, 2, 3, 5]);
        OrderingJson.DeserializeOutput((await Db.ListGetByIndexAsync(_keys.Output, 1))!).Payload.ShouldBe("r2");

        // A result for a seq already passed (a processor that crashed after writing) is dropped.
        await AddResultAsync(2, "late duplicate");
        var late = await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow);
        late.Dropped.ShouldBe(1);
        (await OutputSeqsAsync()).ShouldBe([1, 2, 3, 5]);
        (await Db.StreamLengthAsync(_keys.Results)).ShouldBeLessThanOrEqualTo(1, "consumed entries are trimmed");
    }

    [Fact]
    public async Task Sequence_batches_are_bounded_and_continue_where_they_stopped()
    {
        var (store, token, epoch) = await LeadAsync();
        for (var seq = 1; seq <= 25; seq++)
        {
            await AddResultAsync(seq);
        }

        var first = await store.SequenceAsync(token, epoch, readCount: 10, maxPass: 100, DateTimeOffset.UtcNow);
        first.Read.ShouldBe(10);
        first.More.ShouldBeTrue();
        var calls = 1;
        while ((await store.SequenceAsync(token, epoch, 10, 4, DateTimeOffset.UtcNow)).More)
        {
            calls++;
        }

        (await OutputSeqsAsync()).ShouldBe(Enumerable.Range(1, 25).Select(i => (long)i));
        calls.ShouldBeGreaterThan(3);
    }

    [Fact]
    public async Task A_new_leader_fences_off_the_old_one()
    {
        var (store, oldToken, oldEpoch) = await LeadAsync("leader-a:1");
        await Db.KeyDeleteAsync(_keys.SequencerLock); // the old leader's lock expired
        var newEpoch = await store.TryAcquireAsync("leader-b:2", TimeSpan.FromSeconds(30));
        newEpoch.ShouldBe(oldEpoch + 1);
        (await store.TryAcquireAsync("leader-c:3", TimeSpan.FromSeconds(30))).ShouldBe(0, "the lock is held");
        await AddResultAsync(1);

        (await store.SequenceAsync(oldToken, oldEpoch, 100, 100, DateTimeOffset.UtcNow)).Status.ShouldBe(SequenceStatus.NotLockHolder);
        (await store.ExtendAsync(oldToken, TimeSpan.FromSeconds(1))).ShouldBeFalse();
        (await store.SequenceAsync("leader-b:2", oldEpoch, 100, 100, DateTimeOffset.UtcNow)).Status.ShouldBe(SequenceStatus.StaleEpoch);
        (await Db.ListLengthAsync(_keys.Output)).ShouldBe(0);

        (await store.SequenceAsync("leader-b:2", newEpoch, 100, 100, DateTimeOffset.UtcNow)).Emitted.ShouldBe(1);
    }

    [Fact]
    public async Task Release_deletes_only_the_holders_lock_and_announces_it()
    {
        var (store, token, _) = await LeadAsync();
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = lab.Redis.GetSubscriber();
        await subscriber.SubscribeAsync(_keys.SequencerReleased, (_, message) => announced.TrySetResult(message!));
        try
        {
            (await store.ReleaseAsync("someone-else:9")).ShouldBeFalse();
            (await Db.KeyExistsAsync(_keys.SequencerLock)).ShouldBeTrue();

            (await store.ReleaseAsync(token)).ShouldBeTrue();
            (await Db.KeyExistsAsync(_keys.SequencerLock)).ShouldBeFalse();
            (await announced.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).ShouldBe(token);
        }
        finally
        {
            await subscriber.UnsubscribeAsync(_keys.SequencerReleased);
        }
    }

    [Fact]
    public async Task Take_claims_each_seq_for_the_first_message_that_carries_it()
    {
        var original = """{"seq":7,"payload":"first"}""";
        var impostor = """{"seq":7,"payload":"second"}""";
        await Db.ListRightPushAsync(_keys.Input, [original, impostor, original, "garbage", """{"seq":"8","payload":"x"}"""]);
        var store = new ProcessorStore(Db, _keys, "p1");

        var taken = await store.TakeAsync(10);

        taken.Select(t => t.Raw).ShouldBe([original, impostor, original, "garbage", """{"seq":"8","payload":"x"}"""]);
        taken.Select(t => t.Claim).ShouldBe([SeqClaim.Claimed, SeqClaim.Duplicate, SeqClaim.Claimed, SeqClaim.Unknown, SeqClaim.Unknown]);
        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(5);
        (await Db.SetContainsAsync(_keys.Processors, "p1")).ShouldBeTrue();
        (await store.ClaimAsync(7, impostor)).ShouldBeFalse();
        (await store.ClaimAsync(7, original)).ShouldBeTrue();
    }

    [Fact]
    public async Task Two_reapers_return_a_dead_processors_messages_once_and_in_order_and_leave_live_ones_alone()
    {
        await Db.ListRightPushAsync(_keys.InFlight("dead"), ["a", "b", "c"]);
        await Db.ListRightPushAsync(_keys.InFlight("alive"), ["d"]);
        await Db.ListRightPushAsync(_keys.Input, ["e"]);
        await Db.SetAddAsync(_keys.Processors, ["dead", "alive"]);
        await Db.StringSetAsync(_keys.Heartbeat("alive"), "1", TimeSpan.FromSeconds(30));

        var reaps = await Task.WhenAll(
            new ProcessorStore(Db, _keys, "r1").ReapDeadAsync(),
            new ProcessorStore(Db, _keys, "r2").ReapDeadAsync());

        reaps.Sum(r => r.Messages).ShouldBe(3);
        reaps.Sum(r => r.Processors).ShouldBe(1);
        (await Db.ListRangeAsync(_keys.Input)).Select(v => v.ToString()).ShouldBe(["a", "b", "c", "e"]);
        (await Db.ListRangeAsync(_keys.InFlight("alive"))).Select(v => v.ToString()).ShouldBe(["d"]);
        (await Db.SetMembersAsync(_keys.Processors)).Select(v => v.ToString()).ShouldBe(["alive"]);
    }

    [Fact]
    public async Task Complete_records_once_publishes_and_leaves_the_in_flight_list()
    {
        var store = new ProcessorStore(Db, _keys, "p1");
        await Db.ListRightPushAsync(_keys.InFlight("p1"), ["raw-1"]);

        (await store.CompleteAsync(1, "raw-1", """{"seq":1,"v":"first"}""", "", 1, recordInRedis: true)).ShouldBeTrue();
        (await store.CompleteAsync(1, "raw-1", """{"seq":1,"v":"second"}""", "", 2, recordInRedis: true)).ShouldBeFalse("already gone from the in-flight list");

        (await Db.HashGetAsync(_keys.Records, 1)).ToString().ShouldBe("""{"seq":1,"v":"first"}""");
        var entries = await Db.StreamRangeAsync(_keys.Results);
        entries.Length.ShouldBe(2);
        entries.ShouldAllBe(e => e["body"] == """{"seq":1,"v":"first"}""", "a second result for a seq re-sends the recorded one");
        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
    }

    [Fact]
    public async Task Complete_many_completes_each_message_of_the_batch_in_one_call()
    {
        var store = new ProcessorStore(Db, _keys, "p1");
        await Db.ListRightPushAsync(_keys.InFlight("p1"), ["raw-1", "raw-2", "raw-keep"]);
        await Db.HashSetAsync(_keys.Records, 2, """{"seq":2,"v":"recorded"}""");

        var removed = await store.CompleteManyAsync(
        [
            new Completion(1, "raw-1", """{"seq":1,"v":"one"}""", "tp-1", 10),
            new Completion(2, "raw-2", """{"seq":2,"v":"again"}""", "", 11),
            new Completion(3, "raw-3", """{"seq":3,"v":"reclaimed"}""", "", 12),
        ], recordInRedis: true);

        removed.ShouldBe([true, true, false]);
        (await Db.ListRangeAsync(_keys.InFlight("p1"))).Select(v => v.ToString()).ShouldBe(["raw-keep"]);
        var entries = await Db.StreamRangeAsync(_keys.Results);
        entries.Select(e => (e["seq"].ToString(), e["body"].ToString(), e["tp"].ToString(), e["at"].ToString())).ShouldBe(
        [
            ("1", """{"seq":1,"v":"one"}""", "tp-1", "10"),
            ("2", """{"seq":2,"v":"recorded"}""", "", "11"),
            ("3", """{"seq":3,"v":"reclaimed"}""", "", "12"),
        ]);
        (await Db.HashGetAsync(_keys.Records, 1)).ToString().ShouldBe("""{"seq":1,"v":"one"}""");
        (await store.CompleteManyAsync([], recordInRedis: true)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Dead_letter_records_a_skip_once_and_tells_the_sequencer()
    {
        var store = new ProcessorStore(Db, _keys, "p1");
        await Db.ListRightPushAsync(_keys.InFlight("p1"), ["raw-4", "raw-x"]);

        await store.DeadLetterAsync("raw-4", "{\"reason\":\"processing-failed\"}", 4, recordSkip: true, DeadLetterReasons.ProcessingFailed);
        await store.DeadLetterAsync("raw-x", "{\"reason\":\"invalid-json\"}", null, recordSkip: true, DeadLetterReasons.InvalidJson);

        (await Db.ListLengthAsync(_keys.DeadLetter)).ShouldBe(2);
        (await Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
        (await Db.HashGetAllAsync(_keys.Skipped)).Select(e => (e.Name.ToString(), e.Value.ToString()))
            .ShouldBe([("4", DeadLetterReasons.ProcessingFailed)]);
        var entries = await Db.StreamRangeAsync(_keys.Results);
        entries.Length.ShouldBe(1);
        entries[0]["kind"].ToString().ShouldBe("s");
    }

    [Fact]
    public void The_scripts_are_the_documented_ones() =>
        // Guards against an empty script slipping through a refactoring.
        new[] { ProcessorScripts.Take, ProcessorScripts.Complete, ProcessorScripts.DeadLetter, ProcessorScripts.Reap, SequencerScripts.Sequence }
            .ShouldAllBe(s => s.Contains("redis.call", StringComparison.Ordinal));
}
