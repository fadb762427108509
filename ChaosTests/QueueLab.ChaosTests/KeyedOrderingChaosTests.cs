using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using Shouldly;

namespace QueueLab.ChaosTests;

/// <summary>
/// Pipeline B in per-key mode (3 partitions, key k in partition CRC16(k) mod 3) under faults: 600 messages at 100/s over
/// 64 keys of the run, the fault once 30% of the output is out, then every key's order checked (keys interleave freely)
/// and the stall measured per partition (the faults: <see cref="PartitionedFaultScenarios"/>). Also the per-key contract on its own: a missing seq holds back only its key, a
/// message without a key is dead-lettered, a rejected message skips its key's seq, a misrouted key is sent back.
/// </summary>
[Collection(KeyedOrderingChaosCollection.Name)]
public sealed class KeyedOrderingChaosTests(KeyedOrderingChaosFixture lab) : PartitionedFaultScenarios(lab, "per key")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_missing_seq_holds_back_only_its_own_key()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = lab.Client;
        var run = Guid.NewGuid().ToString("N")[..8];
        string waiting = $"{run}-waiting", flowing = $"{run}-flowing";
        await PushAsync(waiting, 2, "second");
        await PushAsync(flowing, 1, "one");
        await PushAsync(flowing, 2, "two");

        // The other key comes out while seq 1 of the first is missing; the first key's seq 2 waits in the reorder buffer.
        await Poll.UntilAsync(async () => (await OutputOfAsync(flowing)).Count == 2, Timeout, "the other key's two messages are out", cancellationToken: ct);
        (await OutputOfAsync(waiting)).ShouldBeEmpty("seq 2 of a key waits for its seq 1");
        await Poll.UntilAsync(async () => (await client.BacklogAsync()).ReorderBuffer == 1, Timeout, "seq 2 waits in the reorder buffer", cancellationToken: ct);

        await PushAsync(waiting, 1, "first");
        var output = await Poll.ForAsync(() => OutputOfAsync(waiting), o => o.Count == 2, Timeout, "the first key's two messages are out", cancellationToken: ct);
        output.Select(m => (m.Seq, m.Payload)).ShouldBe([(1L, "first"), (2L, "second")]);
        (await OutputOfAsync(flowing)).Select(m => m.Seq).ShouldBe([1L, 2L]);
        (await client.CheckAsync()).Report.Passed.ShouldBeTrue("every key of the whole output is in order");
    }

    [Fact]
    public async Task A_rejected_message_skips_its_keys_seq_and_a_keyless_one_skips_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = lab.Client;
        var key = $"{Guid.NewGuid():N}"[..8] + "-rejected";
        await client.Db.ListRightPushAsync(client.InputForKey(key), $$"""{"key":"{{key}}","seq":1,"payload":42}""");
        await PushAsync(key, 2, "after the rejected one");
        await client.Db.ListRightPushAsync(client.Partitions[0].Input, $$"""{"seq":1,"payload":"no key of {{key}}"}""");

        var output = await Poll.ForAsync(() => OutputOfAsync(key), o => o.Count == 1, Timeout, "seq 2 passes once seq 1 is skipped", cancellationToken: ct);
        output[0].Seq.ShouldBe(2);
        var dead = await Poll.ForAsync(async () => await client.DeadLettersAsync(),
            d => d.Any(e => e.Key == key) && d.Any(e => e.Message?.Contains($"no key of {key}", StringComparison.Ordinal) == true),
            Timeout, "both are dead-lettered", cancellationToken: ct);
        var rejected = dead.Single(e => e.Key == key);
        (rejected.Reason, rejected.Seq, rejected.Skipped).ShouldBe((DeadLetterReasons.InvalidPayload, 1L, true));
        var keyless = dead.Single(e => e.Message?.Contains($"no key of {key}", StringComparison.Ordinal) == true);
        (keyless.Reason, keyless.Skipped, keyless.Key).ShouldBe((DeadLetterReasons.MissingKey, false, (string?)null));
    }

    [Fact]
    public async Task A_message_pushed_to_another_partitions_input_is_dead_lettered_with_the_input_of_its_key()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = lab.Client;
        var key = Enumerable.Range(0, 100).Select(i => $"{Guid.NewGuid():N}"[..8] + $"-misrouted-{i}")
            .First(k => OrderingKeys.PartitionOfKey(k, lab.Partitions) == 1);
        await client.Db.ListRightPushAsync(client.Partitions[0].Input, $$"""{"key":"{{key}}","seq":1,"payload":"misrouted"}""");

        var entry = (await Poll.ForAsync(async () => await client.DeadLettersAsync(), d => d.Any(e => e.Key == key), Timeout,
            "the misrouted message is dead-lettered", cancellationToken: ct)).Single(e => e.Key == key);
        entry.Reason.ShouldBe(DeadLetterReasons.WrongPartition);
        entry.Skipped.ShouldBeFalse("it is not partition 0's key to skip");
        entry.Detail.ShouldContain(client.Partitions[1].Input.ToString());
        (await client.Db.HashExistsAsync(client.Partitions[1].NextSeqs, key)).ShouldBeFalse("its own partition never saw it");
    }

    private Task PushAsync(string key, long seq, string payload) =>
        lab.Client.Db.ListRightPushAsync(lab.Client.InputForKey(key), OrderingJson.Serialize(new OrderingMessage(seq, payload, DateTimeOffset.UtcNow) { Key = key }));

    private async Task<IReadOnlyList<SequencedMessage>> OutputOfAsync(string key) =>
        [.. (await lab.Client.OutputAsync()).Where(m => m.Key == key)];
}
