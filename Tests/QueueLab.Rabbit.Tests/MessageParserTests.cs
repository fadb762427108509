using System.Text;

namespace QueueLab.Rabbit.Tests;

public sealed class MessageParserTests
{
    private const int Limit = 1024;

    private static Dictionary<string, object?> Headers() => MessageFactory.Headers("m-1", StateTransitions.Validate);

    private static byte[] Body(string payload = "hello", int failTimes = 0) => MessageFactory.Body(new MessageBody(payload, failTimes));

    [Fact]
    public void A_well_formed_message_parses()
    {
        var headers = Headers();
        headers[MessageHeaders.RetryCount] = 2;
        var result = MessageParser.Parse(headers, Body(failTimes: 1), Limit);
        result.IsValid.ShouldBeTrue(result.Detail);
        result.Message.ShouldBe(new LabMessage("m-1", StateTransitions.Validate, new MessageBody("hello", 1), 2, 0));
    }

    [Fact]
    public void Header_values_arriving_as_utf8_bytes_are_read()
    {
        var headers = Headers().ToDictionary(h => h.Key, h => (object?)Encoding.UTF8.GetBytes((string)h.Value!));
        MessageParser.Parse(headers, Body(), Limit).Message!.MessageId.ShouldBe("m-1");
    }

    [Fact]
    public void An_oversized_body_is_refused_first()
    {
        var result = MessageParser.Parse(new Dictionary<string, object?>(), new byte[Limit + 1], Limit);
        result.Reason.ShouldBe(DeadLetterReason.OversizedBody);
        result.Detail.ShouldContain($"{Limit + 1} bytes");
    }

    [Theory]
    [InlineData(MessageHeaders.MessageId)]
    [InlineData(MessageHeaders.CurrentState)]
    [InlineData(MessageHeaders.ProcessingState)]
    [InlineData(MessageHeaders.NextState)]
    public void Each_missing_header_is_named(string header)
    {
        var headers = Headers();
        headers.Remove(header);
        var result = MessageParser.Parse(headers, Body(), Limit);
        result.Reason.ShouldBe(DeadLetterReason.MissingHeader);
        result.Detail.ShouldContain(header);
    }

    [Fact]
    public void Messages_without_any_headers_are_refused() =>
        MessageParser.Parse(null, Body(), Limit).Reason.ShouldBe(DeadLetterReason.MissingHeader);

    [Fact]
    public void An_unknown_transition_is_refused_listing_the_known_ones()
    {
        var headers = Headers();
        headers[MessageHeaders.NextState] = "SHIPPED";
        var result = MessageParser.Parse(headers, Body(), Limit);
        result.Reason.ShouldBe(DeadLetterReason.UnknownTransition);
        result.Detail.ShouldContain("NEW -(VALIDATING)-> VALIDATED");
        result.MessageId.ShouldBe("m-1");
    }

    [Theory]
    [InlineData("not json {")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"other\": 1}")]
    [InlineData("")]
    public void An_unparseable_body_is_refused(string body) =>
        MessageParser.Parse(Headers(), Encoding.UTF8.GetBytes(body), Limit).Reason.ShouldBe(DeadLetterReason.UnparseableBody);

    [Fact]
    public void Reasons_have_stable_header_values() =>
        Enum.GetValues<DeadLetterReason>().Select(r => r.ToHeaderValue())
            .ShouldBe(["unparseable-body", "missing-header", "unknown-transition", "oversized-body", "retries-exhausted", "invalid-header", "data-error"]);
}
