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
}
