using System.Text;
using CsCheck;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Parsing;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

/// <summary>Properties of the one parser over generated inputs (CsCheck shrinks a failure to a minimal input).</summary>
public sealed class MessageParserPropertyTests
{
    /// <summary>Fragments a hostile producer strings together: each class the input contract names.</summary>
    private static readonly Gen<string> Fragment = Gen.OneOf<string>(
        "{", "}", "[", "]", ",", ":", "\"seq\"", "\"payload\"", "\"createdAt\"", "\"x\"", "1", "01", "-1", "1.5", "1e3", "NaN", "Infinity",
        "0x1F", "9007199254740991", "9007199254740992", "9223372036854775808", "\"\\ud800\"", "\"\\u0000\"", "\"\t\"", "\0", "null", "true",
        " ", "\"2026-01-01T00:00:00Z\"", "\"a\"");

    private static readonly Gen<byte[]> Hostile = Gen.OneOf(
        Gen.Byte.Array[0, 64],
        Fragment.Array[0, 24].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))),
        Gen.Select(Gen.Long, Gen.String, (seq, payload) => Encoding.UTF8.GetBytes($$"""{"seq":{{seq}},"payload":{{System.Text.Json.JsonSerializer.Serialize(payload)}}}""")));

    [Fact]
    public void The_parser_never_throws_and_always_says_why() =>
        Hostile.Sample(raw =>
        {
            var parsed = MessageParser.Parse(raw, ParserLimits.Default);
            if (parsed.IsValid)
            {
                parsed.Reason.ShouldBeNull();
            }
            else
            {
                DeadLetterReasons.All.ShouldContain(parsed.Reason!);
                parsed.Detail.ShouldNotBeNullOrWhiteSpace();
            }
        }, iter: 20_000);

    [Fact]
    public void A_valid_message_keeps_its_meaning_when_written_again() =>
        Hostile.Sample(raw =>
        {
            var parsed = MessageParser.Parse(raw, ParserLimits.Default);
            if (parsed.Message is { } message)
            {
                message.Seq.ShouldBeInRange(1, MessageParser.MaxSeq);
                var again = MessageParser.Parse(Encoding.UTF8.GetBytes(OrderingJson.Serialize(message)), ParserLimits.Default);
                again.Message.ShouldBe(message);
            }
        }, iter: 20_000);

    [Fact]
    public void A_rejection_names_a_seq_only_when_the_seq_itself_is_valid() =>
        Hostile.Sample(raw =>
        {
            var parsed = MessageParser.Parse(raw, ParserLimits.Default);
            if (!parsed.IsValid && parsed.Seq is { } seq)
            {
                seq.ShouldBeInRange(1, MessageParser.MaxSeq);
                new[] { DeadLetterReasons.MissingPayload, DeadLetterReasons.InvalidPayload, DeadLetterReasons.PayloadTooLarge, DeadLetterReasons.InvalidCreatedAt }
                    .ShouldContain(parsed.Reason!);
            }
        }, iter: 20_000);
}
