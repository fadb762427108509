using System.Text;
using CsCheck;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

/// <summary>Per-key mode's pure logic: the input contract's key, the key-to-partition rule and the id format.</summary>
public sealed class PerKeyTests
{
    private static readonly ParserLimits PerKey = ParserLimits.Default with { Mode = OrderingMode.PerKey };

    private static ParsedMessage Parse(string json, ParserLimits? limits = null) => MessageParser.Parse(Encoding.UTF8.GetBytes(json), limits ?? PerKey);

    [Fact]
    public void A_per_key_message_carries_its_key_into_the_message_and_its_result()
    {
        var parsed = Parse("""{"key":"account-17","seq":3,"payload":"p"}""");

        parsed.IsValid.ShouldBeTrue();
        (parsed.Key, parsed.Seq, parsed.Message!.Key).ShouldBe(("account-17", 3L, "account-17"));
        var t = DateTimeOffset.UnixEpoch;
        var result = new ProcessedResult(3, "p", t, t, t, "proc", 1) { Key = "account-17" };
        ResultJson.ToJson(result).ShouldBe(OrderingJson.Serialize(result), "the batch writer and the serializer agree with a key too");
        OrderingJson.SeqOf(ResultJson.ToJson(result)).ShouldBe(3, "seq stays the first field");
    }

    [Theory]
    [InlineData("""{"seq":1,"payload":"p"}""", DeadLetterReasons.MissingKey)]
    [InlineData("""{"key":null,"seq":1,"payload":"p"}""", DeadLetterReasons.MissingKey)]
    [InlineData("""{"key":7,"seq":1,"payload":"p"}""", DeadLetterReasons.InvalidKey)]
    [InlineData("""{"key":"","seq":1,"payload":"p"}""", DeadLetterReasons.InvalidKey)]
    [InlineData("""{"key":"a\u0000b","seq":1,"payload":"p"}""", DeadLetterReasons.InvalidKey)]
    [InlineData("""{"key":"\ud800","seq":1,"payload":"p"}""", DeadLetterReasons.InvalidKey)]
    public void A_message_without_a_valid_key_is_rejected_before_its_seq_so_it_claims_and_skips_nothing(string json, string reason)
    {
        var parsed = Parse(json);

        (parsed.Reason, parsed.Seq, parsed.Key).ShouldBe((reason, (long?)null, (string?)null));
    }

    [Fact]
    public void A_key_over_256_bytes_is_rejected_and_one_of_256_is_accepted()
    {
        Parse($$"""{"key":"{{new string('k', 256)}}","seq":1,"payload":"p"}""").IsValid.ShouldBeTrue();
        Parse($$"""{"key":"{{new string('k', 257)}}","seq":1,"payload":"p"}""").Reason.ShouldBe(DeadLetterReasons.InvalidKey);
    }

    [Fact]
    public void A_rejection_after_the_key_and_seq_carries_both_so_the_keys_seq_is_skipped()
    {
        var parsed = Parse("""{"key":"a","seq":2,"payload":5}""");

        (parsed.Reason, parsed.Seq, parsed.Key).ShouldBe((DeadLetterReasons.InvalidPayload, 2L, "a"));
        OrderingKeys.Partitioned("x", 1, OrderingMode.PerKey)[0].ClaimIdOf(parsed.Seq, parsed.Key).ShouldBe("a#2");
    }

    [Fact]
    public void In_global_order_a_key_is_not_read_and_the_claim_id_is_the_seq()
    {
        var parsed = Parse("""{"key":5,"seq":2,"payload":"p"}""", ParserLimits.Default);

        (parsed.IsValid, parsed.Key).ShouldBe((true, (string?)null));
        OrderingKeys.Default.ClaimIdOf(2, "ignored").ShouldBe("2");
    }

    [Fact]
    public void A_key_belongs_to_partition_CRC16_of_its_bytes_mod_P()
    {
        // CRC16-XMODEM's check value: "123456789" is 0x31C3 (12739); braces are hashed like any byte (no hash tag rule).
        OrderingKeys.PartitionOfKey("123456789", 3).ShouldBe(12739 % 3);
        OrderingKeys.PartitionOfKey("123456789", 8).ShouldBe(ClusterSlots.Of("123456789") % 8);
        OrderingKeys.PartitionOfKey("{a}b", 7).ShouldBe(ClusterSlots.Crc16("{a}b"u8) % 7);
        var partitions = OrderingKeys.Partitioned("x", 4, OrderingMode.PerKey);
        partitions[1].ForKey("123456789").Partition.ShouldBe(12739 % 4);
        partitions.ShouldAllBe(k => k.PerKey);
    }

    [Fact]
    public void Every_key_belongs_to_exactly_one_partition_and_its_id_splits_back_whatever_the_key_holds()
    {
        Gen.Select(Gen.String, Gen.Long[1, MessageParserMaxSeq], Gen.Int[1, OrderingKeys.MaxPartitions]).Sample((key, seq, p) =>
        {
            var partitions = OrderingKeys.Partitioned("x", p, OrderingMode.PerKey);
            partitions.Count(k => k.OwnsKey(key)).ShouldBe(1);
            OrderingKeys.SplitId(OrderingKeys.IdOf(key, seq)).ShouldBe((key, seq));
        });
    }

    private const long MessageParserMaxSeq = MessageParser.MaxSeq;
}
