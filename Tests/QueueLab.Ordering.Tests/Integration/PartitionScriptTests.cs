using System.Text;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Redis;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>Partitioned pipeline B's scripts and its global reading rule against the lab's real Redis, each test under its
/// own key prefix with three partitions.</summary>
[Collection(OrderingCollection.Name)]
public sealed class PartitionScriptTests(OrderingFixture lab)
{
    private const int P = 3;

    private readonly IReadOnlyList<OrderingKeys> _partitions = OrderingKeys.Partitioned("test:" + Guid.NewGuid().ToString("N")[..12], P);

    private IDatabase Db => lab.Db;

    private Task AddResultAsync(OrderingKeys keys, long seq)
    {
        var t = DateTimeOffset.UtcNow;
        var body = OrderingJson.Serialize(new ProcessedResult(seq, $"r{seq}", t, t, t, "test", 1));
        return Db.StreamAddAsync(keys.Results, [new("seq", seq), new("kind", "r"), new("tp", ""), new("at", t.ToUnixTimeMilliseconds()), new("body", body)]);
    }

    private Task AddSkipAsync(OrderingKeys keys, long seq) =>
        Db.StreamAddAsync(keys.Results, [new("seq", seq), new("kind", "s"), new("tp", ""), new("at", ""), new("body", "processing-failed")]);

    private async Task<(SequencerStore Store, long Epoch)> LeadAsync(OrderingKeys keys)
    {
        var store = new SequencerStore(Db, keys);
        var epoch = await store.TryAcquireAsync("leader:1", TimeSpan.FromSeconds(30));
        epoch.ShouldBeGreaterThan(0);
        return (store, epoch);
    }

    private async Task<List<long>> OutputSeqsAsync(OrderingKeys keys) =>
        [.. (await Db.ListRangeAsync(keys.Output)).Select(v => OrderingJson.DeserializeOutput(v!).Seq)];

    [Fact]
    public async Task A_partition_passes_its_own_seqs_in_order_from_its_first_by_its_step()
    {
        var p1 = _partitions[1];
        var (store, epoch) = await LeadAsync(p1);
        await AddResultAsync(p1, 7);
        await AddResultAsync(p1, 4);

        var waiting = await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);
        (waiting.Emitted, waiting.BufferDepth, waiting.NextSeq).ShouldBe((0L, 2L, 1L), "seq 1 is partition 1's first");

        await AddResultAsync(p1, 1);
        await AddSkipAsync(p1, 10);
        await AddResultAsync(p1, 13);
        var batch = await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);

        (batch.Emitted, batch.Skipped, batch.NextSeq, batch.BufferDepth).ShouldBe((4L, 1L, 16L, 0L));
        (await OutputSeqsAsync(p1)).ShouldBe([1L, 4, 7, 13]);
        (await OutputSeqsAsync(_partitions[0])).ShouldBeEmpty("the other partitions' keys are untouched");
    }

    [Fact]
    public async Task Retention_deletes_only_the_partitions_own_passed_seqs()
    {
        var p2 = _partitions[2];
        var (store, epoch) = await LeadAsync(p2);
        for (var seq = 2L; seq <= 2 + (29 * P); seq += P)
        {
            await Db.HashSetAsync(p2.Claims, seq, "claimed");
            await AddResultAsync(p2, seq);
        }

        await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow, new Retention(KeepPassedSeqs: 10, OutputMaxLength: 0, DeadLetterMaxLength: 0));

        var kept = (await Db.HashKeysAsync(p2.Claims)).Select(k => (long)k).Order().ToList();
        kept.ShouldBe(Enumerable.Range(20, 10).Select(i => 2L + (i * P)), "the claims of the last 10 of the partition's 30 passed seqs");
        ((long)await Db.StringGetAsync(p2.TrimmedTo)).ShouldBe(2 + (20 * P));
    }

    [Fact]
    public async Task A_message_pushed_to_another_partitions_input_is_not_claimed()
    {
        var p0 = _partitions[0];
        var store = new ProcessorStore(Db, p0, "proc-1");
        await Db.ListRightPushAsync(p0.Input, ["""{"seq":3,"payload":"mine"}""", """{"seq":4,"payload":"partition 1's"}""", "garbage"]);

        var taken = await store.PrepareAsync((await store.TakeAsync(10)).Messages, ParserLimits.Default);

        taken.Select(t => t.Claim).ShouldBe([SeqClaim.Claimed, SeqClaim.WrongPartition, SeqClaim.None]);
        (await Db.HashExistsAsync(p0.Claims, 4)).ShouldBeFalse();
        (await Db.HashExistsAsync(_partitions[1].Claims, 4)).ShouldBeFalse("nothing is claimed anywhere for a misrouted seq");
    }

    [Fact]
    public async Task A_partitions_first_seq_is_its_next_seq_for_a_claim_before_anything_passed()
    {
        var p2 = _partitions[2];
        var store = new ProcessorStore(Db, p2, "proc-1");
        await Db.ListRightPushAsync(p2.Input, ["""{"seq":2,"payload":"first of partition 2"}"""]);

        var taken = await store.PrepareAsync((await store.TakeAsync(10)).Messages, ParserLimits.Default);

        taken.ShouldHaveSingleItem().Claim.ShouldBe(SeqClaim.Claimed, "seq 2 is not below partition 2's first seq");
    }

    [Fact]
    public async Task The_global_reader_merges_the_partitions_by_seq_and_holds_back_what_an_earlier_seq_may_still_precede()
    {
        var leaders = new List<(OrderingKeys Keys, SequencerStore Store, long Epoch)>();
        foreach (var keys in _partitions)
        {
            var (store, epoch) = await LeadAsync(keys);
            leaders.Add((keys, store, epoch));
        }

        async Task PassAsync(params long[] seqs)
        {
            foreach (var seq in seqs)
            {
                var keys = _partitions[OrderingKeys.PartitionOf(seq, P)];
                await (seq == 5 ? AddSkipAsync(keys, seq) : AddResultAsync(keys, seq));
            }

            foreach (var (_, store, epoch) in leaders)
            {
                await store.SequenceAsync("leader:1", epoch, 100, 100, DateTimeOffset.UtcNow);
            }
        }

        var reader = await GlobalOutputReader.StartAsync(Db, _partitions, lastSeq: 0);
        async Task<List<long>> ReadAsync() => [.. (await reader.ReadAsync(2)).Concat(await reader.ReadAsync(100)).Select(v => OrderingJson.SeqOf(v)!.Value)];

        await PassAsync(1, 3, 4, 6, 7);
        (await ReadAsync()).ShouldBe([1L], "seq 2 (partition 2) is not decided: 3, 4, 6 and 7 wait");
        (await GlobalOutputReader.WatermarkAsync(Db, _partitions)).ShouldBe(2);

        await PassAsync(2, 5);
        (await ReadAsync()).ShouldBe([2L, 3, 4, 6, 7], "5 was skipped; 8 (partition 2's next) bounds the read");

        await PassAsync(9, 8);
        (await ReadAsync()).ShouldBe([8L, 9]);
        (await reader.ReadAsync(100)).ShouldBeEmpty("nothing new");
        reader.FellBehind.ShouldBe(0);
    }

    [Fact]
    public async Task The_backlog_and_clear_cover_every_partition()
    {
        await Db.ListRightPushAsync(_partitions[2].Input, "waiting");
        (await OrderingAdmin.BacklogAsync(Db, _partitions)).Input.ShouldBe(1);
        (await OrderingAdmin.ClearAsync(Db, _partitions)).Cleared.ShouldBeFalse("a message is on its way in partition 2");

        await Db.ListLeftPopAsync(_partitions[2].Input);
        await Db.ListRightPushAsync(_partitions[0].Output, """{"seq":3}""");
        await Db.ListRightPushAsync(_partitions[1].Output, """{"seq":1}""");
        var cleared = await OrderingAdmin.ClearAsync(Db, _partitions);

        cleared.Cleared.ShouldBeTrue();
        cleared.Deleted.ShouldBe(2);
        (await Db.KeyExistsAsync(_partitions[0].Output)).ShouldBeFalse();
    }
}
