using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class MessageParserTests
{
    private const int Limit = 16;

    [Fact]
    public void A_valid_message_is_read_with_all_its_fields()
    {
        var parsed = MessageParser.Parse("""{"seq":42,"payload":"hello","createdAt":"2026-01-02T03:04:05.678Z","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}""", Limit);

        parsed.IsValid.ShouldBeTrue();
        parsed.Message!.Seq.ShouldBe(42);
        parsed.Message.Payload.ShouldBe("hello");
        parsed.Message.CreatedAt.ShouldBe(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));
        parsed.Message.TraceParent.ShouldStartWith("00-0af7");
    }

    [Fact]
    public void CreatedAt_is_optional()
    {
        var parsed = MessageParser.Parse("""{"seq":1,"payload":"x"}""", Limit);

        parsed.IsValid.ShouldBeTrue();
        parsed.Message!.CreatedAt.ShouldBeNull();
    }

    [Theory]
    [InlineData("not json", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,"payload":"x" """, DeadLetterReasons.InvalidJson)]
    [InlineData("[1,2]", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"payload":"x"}""", DeadLetterReasons.MissingSeq)]
    [InlineData("""{"seq":null,"payload":"x"}""", DeadLetterReasons.MissingSeq)]
    [InlineData("""{"seq":-5,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":0,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":1.5,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":"7","payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":99999999999999999999,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":9007199254740992,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":9223372036854775807,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":9223372036854775808,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":1e0,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":-0,"payload":"x"}""", DeadLetterReasons.InvalidSeq)]
    [InlineData("""{"seq":01,"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":0x10,"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":NaN,"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":Infinity,"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,"seq":2,"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,"payload":"x","payload":"y"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("{\"seq\":1,\"payload\":\"a\tb\"}", DeadLetterReasons.InvalidJson)]
    [InlineData("{\"seq\":1,\"payload\":\"a\u0000b\"}", DeadLetterReasons.InvalidJson)]
    [InlineData("{\"seq\":1,\"payload\":\"x\"}\u0000{\"seq\":2}", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,"payload":"x"} {"seq":2}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,"payload":"x",}""", DeadLetterReasons.InvalidJson)]
    [InlineData("""{"seq":1,/* c */"payload":"x"}""", DeadLetterReasons.InvalidJson)]
    [InlineData("", DeadLetterReasons.InvalidJson)]
    [InlineData("   \t\n ", DeadLetterReasons.InvalidJson)]
    [InlineData("null", DeadLetterReasons.InvalidJson)]
    public void A_message_without_a_usable_seq_is_rejected_without_a_seq(string raw, string reason)
    {
        var parsed = MessageParser.Parse(raw, Limit);

        parsed.IsValid.ShouldBeFalse();
        parsed.Reason.ShouldBe(reason);
        parsed.Detail.ShouldNotBeNullOrWhiteSpace();
        parsed.Seq.ShouldBeNull("a message without a valid seq must not be recorded as a skipped seq");
    }

    [Theory]
    [InlineData("""{"seq":3}""", DeadLetterReasons.MissingPayload)]
    [InlineData("""{"seq":3,"payload":12}""", DeadLetterReasons.InvalidPayload)]
    [InlineData("""{"seq":3,"payload":"\ud800"}""", DeadLetterReasons.InvalidPayload)]
    [InlineData("""{"seq":3,"payload":"a\u0000b"}""", DeadLetterReasons.InvalidPayload)]
    [InlineData("""{"seq":3,"payload":"this payload is too long"}""", DeadLetterReasons.PayloadTooLarge)]
    [InlineData("""{"seq":3,"payload":"x","createdAt":"yesterday"}""", DeadLetterReasons.InvalidCreatedAt)]
    [InlineData("""{"seq":3,"payload":"x","createdAt":12}""", DeadLetterReasons.InvalidCreatedAt)]
    public void A_message_with_a_valid_seq_but_a_bad_body_is_rejected_with_its_seq(string raw, string reason)
    {
        var parsed = MessageParser.Parse(raw, Limit);

        parsed.IsValid.ShouldBeFalse();
        parsed.Reason.ShouldBe(reason);
        parsed.Seq.ShouldBe(3);
    }

    [Fact]
    public void The_payload_limit_counts_utf8_bytes()
    {
        // 6 characters, 12 bytes.
        MessageParser.Parse("""{"seq":1,"payload":"éééééé"}""", 12).IsValid.ShouldBeTrue();
        MessageParser.Parse("""{"seq":1,"payload":"éééééé"}""", 11).Reason.ShouldBe(DeadLetterReasons.PayloadTooLarge);
    }

    [Fact]
    public void Deep_nesting_is_rejected_before_it_costs_anything()
    {
        var deep = """{"seq":1,"payload":"x","n":""" + new string('[', 10_000) + new string(']', 10_000) + "}";

        MessageParser.Parse(deep, 4096).Reason.ShouldBe(DeadLetterReasons.InvalidJson);
        MessageParser.Parse("""{"seq":1,"payload":"x","n":[[[[1]]]]}""", 4096).IsValid.ShouldBeTrue("a little nesting in an unknown field is fine");
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_are_rejected_without_a_seq()
    {
        byte[] raw = [.. "{\"seq\":5,\"payload\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var parsed = MessageParser.Parse(raw, ParserLimits.Default);

        parsed.Reason.ShouldBe(DeadLetterReasons.InvalidUtf8);
        parsed.Seq.ShouldBeNull();
    }

    [Fact]
    public void The_size_of_the_raw_message_is_checked_before_any_decoding()
    {
        var huge = new byte[ParserLimits.DefaultMaxMessageBytes + 1];
        huge.AsSpan().Fill(0xFF); // not even UTF-8: the size decides first

        MessageParser.Parse(huge, ParserLimits.Default).Reason.ShouldBe(DeadLetterReasons.MessageTooLarge);
    }

    [Fact]
    public void A_trace_context_that_is_not_a_valid_traceparent_is_ignored()
    {
        var parsed = MessageParser.Parse("""{"seq":1,"payload":"x","traceparent":"nonsense"}""", 4096);

        parsed.IsValid.ShouldBeTrue();
        parsed.Message!.TraceParent.ShouldBeNull();
    }
}
