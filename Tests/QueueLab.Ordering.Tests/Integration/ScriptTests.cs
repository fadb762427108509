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
        (await store.TryAcquireAsync("leader-c:3", TimeSpan.FromSeconds(30))).ShouldBeLessThanOrEqualTo(0, "the lock is held");
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
    public async Task Retention_deletes_the_claims_records_and_skips_of_old_seqs_and_cuts_the_output_and_dead_letters()
    {
        var (store, token, epoch) = await LeadAsync();
        for (var seq = 1; seq <= 30; seq++)
        {
            await Db.HashSetAsync(_keys.Claims, seq, new string('a', 40) + ":r");
            await Db.HashSetAsync(_keys.Records, seq, "{}");
            await AddResultAsync(seq);
        }

        await Db.HashSetAsync(_keys.Skipped, 3, "processing-failed");
        await Db.ListRightPushAsync(_keys.DeadLetter, [.. Enumerable.Range(1, 12).Select(i => (RedisValue)$"dl-{i}")]);

        var batch = await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow, new Retention(KeepPassedSeqs: 10, OutputMaxLength: 25, DeadLetterMaxLength: 5));

        batch.NextSeq.ShouldBe(31);
        (await Db.HashKeysAsync(_keys.Claims)).Select(k => (long)k).Order().ShouldBe(Enumerable.Range(21, 10).Select(i => (long)i));
        (await Db.HashLengthAsync(_keys.Records)).ShouldBe(10);
        (await Db.HashLengthAsync(_keys.Skipped)).ShouldBe(0);
        ((long)await Db.StringGetAsync(_keys.TrimmedTo)).ShouldBe(21);
        (await OutputSeqsAsync()).ShouldBe(Enumerable.Range(6, 25).Select(i => (long)i), "the newest 25 stay");
        ((long)await Db.StringGetAsync(_keys.OutputTrimmedTo)).ShouldBe(6, "the oldest seq the output still holds");
        (await Db.ListRangeAsync(_keys.DeadLetter)).Select(v => v.ToString()).ShouldBe(["dl-8", "dl-9", "dl-10", "dl-11", "dl-12"]);
    }

    [Fact]
    public async Task The_output_reader_neither_skips_nor_repeats_an_entry_while_retention_cuts_the_output()
    {
        var (store, token, epoch) = await LeadAsync();
        var retention = new Retention(KeepPassedSeqs: 10, OutputMaxLength: 7, DeadLetterMaxLength: 5);
        var reader = new OutputReader(Db, _keys.Output, lastSeq: 0, indexHint: 0);
        var read = new List<long>();
        var seq = 0;
        for (var round = 0; round < 12; round++)
        {
            // Between two reads: 5 results (seq 3 of each round skipped, so the output has gaps) and a cut to 7 entries.
            for (var i = 0; i < 5; i++)
            {
                seq++;
                await (i == 2 ? AddSkipAsync(seq) : AddResultAsync(seq));
            }

            await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow, retention);
            read.AddRange((await reader.ReadAsync(3)).Select(v => OrderingJson.DeserializeOutput(v!).Seq));
            read.AddRange((await reader.ReadAsync(100)).Select(v => OrderingJson.DeserializeOutput(v!).Seq));
            (await Db.ListLengthAsync(_keys.Output)).ShouldBeLessThanOrEqualTo(7, "the output is cut to its limit");
        }

        read.ShouldBe(Enumerable.Range(1, seq).Where(s => s % 5 != 3).Select(s => (long)s), "every emitted seq once, in order, though the list's indexes moved under the reader");
        reader.FellBehind.ShouldBe(0);
        (await reader.ReadAsync(100)).ShouldBeEmpty("nothing new");
    }

    [Fact]
    public async Task The_output_reader_says_when_the_retention_cut_entries_it_had_not_read()
    {
        var (store, token, epoch) = await LeadAsync();
        for (var s = 1; s <= 30; s++)
        {
            await AddResultAsync(s);
        }

        var reader = new OutputReader(Db, _keys.Output, lastSeq: 0, indexHint: 0);
        await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow, new Retention(KeepPassedSeqs: 10, OutputMaxLength: 100, DeadLetterMaxLength: 5));
        (await reader.ReadAsync(5)).Select(v => OrderingJson.DeserializeOutput(v!).Seq).ShouldBe([1L, 2, 3, 4, 5]);
        for (var s = 31; s <= 40; s++)
        {
            await AddResultAsync(s);
        }

        await store.SequenceAsync(token, epoch, 100, 100, DateTimeOffset.UtcNow, new Retention(KeepPassedSeqs: 10, OutputMaxLength: 20, DeadLetterMaxLength: 5));
        (await reader.ReadAsync(100)).Select(v => OrderingJson.DeserializeOutput(v!).Seq).ShouldBe(Enumerable.Range(21, 20).Select(s => (long)s));
        reader.FellBehind.ShouldBe(1, "seqs 6..20 were cut before the reader got to them");
    }

    [Fact]
    public async Task A_standby_learns_how_long_the_lock_still_holds()
    {
        var (store, _, _) = await LeadAsync();
        var answer = await store.TryAcquireAsync("standby:2", TimeSpan.FromSeconds(1));
        answer.ShouldBeInRange(-30_000, -29_000, "minus the holder's remaining milliseconds");
    }

    [Fact]
    public void The_scripts_are_the_documented_ones() =>
        // Guards against an empty script slipping through a refactoring.
        new[] { SequencerScripts.Acquire, SequencerScripts.Extend, SequencerScripts.Release, SequencerScripts.Sequence, AdminScripts.Clear, OutputScripts.ReadAfter }
            .ShouldAllBe(s => s.Contains("redis.call", StringComparison.Ordinal));
}
