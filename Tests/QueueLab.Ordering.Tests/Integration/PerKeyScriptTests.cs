using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Redis;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>Per-key mode's scripts (claims and the sequence script) and its output reader against the lab's real Redis,
/// each test under its own key prefix with three partitions.</summary>
[Collection(OrderingCollection.Name)]
public sealed class PerKeyScriptTests(OrderingFixture lab)
{
    private const int P = 3;

    private readonly IReadOnlyList<OrderingKeys> _partitions = OrderingKeys.Partitioned("test:" + Guid.NewGuid().ToString("N")[..12], P, OrderingMode.PerKey);

    private IDatabase Db => lab.Db;

    private OrderingKeys Keys => _partitions[0];

    private Task AddResultAsync(string key, long seq)
    {
        var t = DateTimeOffset.UtcNow;
        var body = OrderingJson.Serialize(new ProcessedResult(seq, $"{key}{seq}", t, t, t, "test", 1) { Key = key });
        return Db.StreamAddAsync(Keys.Results, [new("seq", OrderingKeys.IdOf(key, seq)), new("kind", "r"), new("tp", ""), new("at", t.ToUnixTimeMilliseconds()), new("body", body)]);
    }

    private Task AddSkipAsync(string key, long seq) =>
        Db.StreamAddAsync(Keys.Results, [new("seq", OrderingKeys.IdOf(key, seq)), new("kind", "s"), new("tp", ""), new("at", ""), new("body", "processing-failed")]);

    private async Task<(SequencerStore Store, long Epoch)> LeadAsync()
    {
        var store = new SequencerStore(Db, Keys);
        var epoch = await store.TryAcquireAsync("leader:1", TimeSpan.FromSeconds(30));
        epoch.ShouldBeGreaterThan(0);
        return (store, epoch);
    }

    private async Task<List<string>> OutputIdsAsync() =>
        [.. (await Db.ListRangeAsync(Keys.Output)).Select(v => OrderingJson.DeserializeOutput(v!)).Select(m => OrderingKeys.IdOf(m.Key!, m.Seq))];

    [Fact]
    public async Task Each_key_passes_its_own_seqs_in_order_and_a_missing_one_holds_back_only_its_key()
    {
        var (store, epoch) = await LeadAsync();
        await AddResultAsync("a", 2);
        await AddResultAsync("b", 1);
        await AddResultAsync("a", 1);
        await AddResultAsync("b", 3);

        var batch = await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);

        (batch.Emitted, batch.BufferDepth, batch.NextSeq).ShouldBe((3L, 1L, 4L), "b#3 waits for b#2; three ids passed");
        (await OutputIdsAsync()).ShouldBe(["a#1", "a#2", "b#1"], "keys interleave, each in its own order");
        batch.EmittedResults.Select(r => (r.Key, r.Seq)).ShouldBe([("a", 1L), ("a", 2L), ("b", 1L)]);

        await AddSkipAsync("b", 2);
        var next = await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);
        (next.Emitted, next.Skipped, next.BufferDepth).ShouldBe((1L, 1L, 0L));
        (await OutputIdsAsync()).ShouldBe(["a#1", "a#2", "b#1", "b#3"]);
        (await Db.HashGetAllAsync(Keys.NextSeqs)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value)
            .ShouldBe(new Dictionary<string, long> { ["a"] = 3, ["b"] = 4 });
    }

    [Fact]
    public async Task A_result_of_a_passed_or_already_read_seq_is_dropped()
    {
        var (store, epoch) = await LeadAsync();
        await AddResultAsync("a", 1);
        await AddResultAsync("a", 1);
        await AddResultAsync("a", 3);
        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);
        await AddResultAsync("a", 1);
        await AddResultAsync("a", 3);

        var batch = await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);

        (batch.Dropped, batch.Emitted, batch.BufferDepth).ShouldBe((2L, 0L, 1L));
        (await OutputIdsAsync()).ShouldBe(["a#1"]);
    }

    [Fact]
    public async Task A_call_that_reaches_its_limit_leaves_the_key_ready_and_the_next_call_passes_it_without_new_results()
    {
        var (store, epoch) = await LeadAsync();
        for (var seq = 1; seq <= 5; seq++)
        {
            await AddResultAsync("a", seq);
        }

        var first = await store.SequenceAsync("leader:1", epoch, 100, 2, DateTimeOffset.UtcNow);
        (first.Emitted, first.More, first.BufferDepth).ShouldBe((2L, true, 3L));
        (await Db.SetMembersAsync(Keys.ReadyKeys)).Select(v => v.ToString()).ShouldBe(["a"]);

        await store.SequenceAsync("leader:1", epoch, 100, 2, DateTimeOffset.UtcNow);
        var last = await store.SequenceAsync("leader:1", epoch, 100, 2, DateTimeOffset.UtcNow);

        (last.Emitted, last.More, last.BufferDepth).ShouldBe((1L, false, 0L));
        (await OutputIdsAsync()).ShouldBe(["a#1", "a#2", "a#3", "a#4", "a#5"]);
        (await Db.KeyExistsAsync(Keys.ReadyKeys)).ShouldBeFalse();
    }

    [Fact]
    public async Task Retention_deletes_the_claims_of_the_oldest_passed_ids_and_a_copy_of_an_old_message_is_still_refused()
    {
        var (store, epoch) = await LeadAsync();
        var a = Enumerable.Range(0, 100).Select(i => $"a{i}").First(k => OrderingKeys.PartitionOfKey(k, P) == 0);
        for (var seq = 1; seq <= 10; seq++)
        {
            await Db.HashSetAsync(Keys.Claims, OrderingKeys.IdOf(a, seq), new string('0', 40) + ":r");
            await AddResultAsync(a, seq);
        }

        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow, new Retention(KeepPassedSeqs: 4, OutputMaxLength: 0, DeadLetterMaxLength: 0));

        (await Db.HashKeysAsync(Keys.Claims)).Select(k => k.ToString()).Order().ShouldBe([$"{a}#10", $"{a}#7", $"{a}#8", $"{a}#9"]);
        (await Db.ListLengthAsync(Keys.Passed)).ShouldBe(4);

        // The claim of the key's seq 2 is gone, but its next seq is 11: a copy of seq 2 can never be claimed again.
        await Db.ListRightPushAsync(Keys.Input, $$"""{"key":"{{a}}","seq":2,"payload":"late copy"}""");
        var processor = new ProcessorStore(Db, Keys, "p1");
        var taken = await processor.PrepareAsync((await processor.TakeAsync(10)).Messages, ParserLimits.Default with { Mode = OrderingMode.PerKey });
        (taken.Single().Claim, taken.Single().Id).ShouldBe((SeqClaim.Duplicate, $"{a}#2"));
    }

    [Fact]
    public async Task A_processor_claims_key_and_seq_and_refuses_to_claim_a_key_of_another_partition()
    {
        var own = Enumerable.Range(0, 100).Select(i => $"own-{i}").First(k => OrderingKeys.PartitionOfKey(k, P) == 0);
        var other = Enumerable.Range(0, 100).Select(i => $"other-{i}").First(k => OrderingKeys.PartitionOfKey(k, P) == 2);
        await Db.ListRightPushAsync(Keys.Input, [
            $$"""{"key":"{{own}}","seq":1,"payload":"x"}""",
            $$"""{"key":"{{own}}","seq":1,"payload":"a different message"}""",
            $$"""{"key":"{{other}}","seq":1,"payload":"x"}""",
            """{"seq":1,"payload":"no key"}""",
            $$"""{"key":"{{own}}","seq":2,"payload":7}""",
        ]);
        var processor = new ProcessorStore(Db, Keys, "p1");

        var taken = await processor.PrepareAsync((await processor.TakeAsync(10)).Messages, ParserLimits.Default with { Mode = OrderingMode.PerKey });

        taken.Select(t => (t.Claim, t.Id, t.Parsed.Reason)).ShouldBe([
            (SeqClaim.Claimed, $"{own}#1", null),
            (SeqClaim.Duplicate, $"{own}#1", null),
            (SeqClaim.WrongPartition, $"{other}#1", null),
            (SeqClaim.None, null, DeadLetterReasons.MissingKey),
            (SeqClaim.Claimed, $"{own}#2", DeadLetterReasons.InvalidPayload),
        ]);
    }

    [Fact]
    public async Task A_keys_claim_rolled_back_while_in_flight_is_made_again_unless_its_key_passed_that_seq()
    {
        var own = Enumerable.Range(0, 100).Select(i => $"lost-{i}").First(k => OrderingKeys.PartitionOfKey(k, P) == 0);
        await Db.ListRightPushAsync(Keys.Input, [$$"""{"key":"{{own}}","seq":1,"payload":"x"}""", $$"""{"key":"{{own}}","seq":2,"payload":"x"}"""]);
        var processor = new ProcessorStore(Db, Keys, "p1");
        var taken = await processor.PrepareAsync((await processor.TakeAsync(10)).Messages, ParserLimits.Default with { Mode = OrderingMode.PerKey });
        taken.ShouldAllBe(t => t.Claim == SeqClaim.Claimed);
        await Db.HashDeleteAsync(Keys.Claims, [$"{own}#1", $"{own}#2"]);
        await Db.HashSetAsync(Keys.NextSeqs, own, 2); // the key's seq 1 was passed (and its claim trimmed); 2 was not

        var done = taken.Select(t => new Completion(t.Id!, t.Raw, t.Fingerprint, "{}", "", 1)).ToList();
        (await processor.CompleteManyAsync(done, recordInRedis: true)).ShouldBe([CompletionOutcome.Decided, CompletionOutcome.Completed]);

        (await Db.HashExistsAsync(Keys.Claims, $"{own}#1")).ShouldBeFalse();
        (await Db.HashGetAsync(Keys.Claims, $"{own}#2")).ToString().ShouldEndWith(":r");
    }

    [Fact]
    public async Task The_keyed_output_reader_keeps_its_place_across_the_outputs_retention_and_says_when_it_fell_behind()
    {
        var (store, epoch) = await LeadAsync();
        var reader = await KeyedOutputReader.StartAsync(Db, _partitions);
        var retention = new Retention(KeepPassedSeqs: 100, OutputMaxLength: 3, DeadLetterMaxLength: 0);
        await AddResultAsync("a", 1);
        await AddResultAsync("a", 2);
        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow, retention);

        (await reader.ReadAsync(1)).Length.ShouldBe(1);
        await AddResultAsync("a", 3);
        await AddResultAsync("a", 4);
        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow, retention);

        // The output holds a#2..a#4 now (one cut): the reader goes on after a#1 without a repeat or a gap.
        (await reader.ReadAsync(10)).Select(v => OrderingJson.DeserializeOutput(v!).Seq).ShouldBe([2L, 3, 4]);
        reader.FellBehind.ShouldBe(0);

        var late = await KeyedOutputReader.StartAsync(Db, _partitions, fromStart: true);
        for (var seq = 5; seq <= 8; seq++)
        {
            await AddResultAsync("a", seq);
        }

        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow, retention);
        (await late.ReadAsync(10)).Select(v => OrderingJson.DeserializeOutput(v!).Seq).ShouldBe([6L, 7, 8]);
        late.FellBehind.ShouldBe(1, "a#2..a#5 were cut before it read them");
    }

    [Fact]
    public async Task A_keyed_read_that_fails_part_way_moves_no_position_so_the_next_read_returns_what_it_had_read()
    {
        var (store, epoch) = await LeadAsync();
        var reader = await KeyedOutputReader.StartAsync(Db, _partitions);
        await AddResultAsync("a", 1);
        await AddResultAsync("a", 2);
        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);

        // Partition 0's read succeeds, partition 1's fails (its cut counter is the wrong type: a server error, as a
        // dropped connection would be a client one).
        await Db.HashSetAsync(_partitions[1].OutputTrimmedTo, "x", "1");
        await Should.ThrowAsync<RedisServerException>(() => reader.ReadAsync(10));
        await Db.KeyDeleteAsync(_partitions[1].OutputTrimmedTo);

        (await reader.ReadAsync(10)).Select(v => OrderingJson.DeserializeOutput(v!).Seq).ShouldBe([1L, 2], "nothing read by the failed call is skipped");
        (await reader.ReadAsync(10)).ShouldBeEmpty("and nothing is read twice");
    }
}
