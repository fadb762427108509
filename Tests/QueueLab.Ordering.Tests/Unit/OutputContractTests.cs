using QueueLab.Ordering.Contracts;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class OutputContractTests
{
    [Fact]
    public void A_processed_result_with_the_sequencer_timestamps_appended_reads_as_an_output_message()
    {
        // The sequence script drops the closing brace and appends the two sequencer timestamps.
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var body = OrderingJson.Serialize(new ProcessedResult(5, "p|5", t, t.AddSeconds(1), t.AddSeconds(2), "processor-a", 1));
        var output = body[..^1] + ",\"sequencingAt\":\"2026-01-01T00:00:03.0000000Z\"" + ",\"sequencedAt\":\"2026-01-01T00:00:04.0000000Z\"}";

        var message = OrderingJson.DeserializeOutput(output);

        message.Seq.ShouldBe(5);
        message.Payload.ShouldBe("p|5");
        message.ProcessedAt.ShouldBe(t.AddSeconds(2));
        message.SequencingAt.ShouldBe(t.AddSeconds(3));
        message.SequencedAt.ShouldBe(t.AddSeconds(4));
    }

    [Fact]
    public void The_seq_of_an_output_entry_is_read_from_its_first_field()
    {
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        OrderingJson.SeqOf(OrderingJson.Serialize(new ProcessedResult(1234567890123, "p", t, t, t, "processor-a", 1))).ShouldBe(1234567890123);
        OrderingJson.SeqOf("{\"seq\":7}").ShouldBe(7);
        OrderingJson.SeqOf("{\"payload\":\"x\",\"seq\":7}").ShouldBeNull("the output's entries start with their seq; anything else is not one");
        OrderingJson.SeqOf("{\"seq\":-1,").ShouldBeNull();
        OrderingJson.SeqOf("").ShouldBeNull();
        OrderingJson.SeqOf(null).ShouldBeNull();
    }
}
