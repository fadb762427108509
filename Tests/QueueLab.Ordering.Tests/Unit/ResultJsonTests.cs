using QueueLab.Ordering.Buffers;
using QueueLab.Ordering.Contracts;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class ResultJsonTests
{
    public static TheoryData<string, bool> Payloads => new()
    {
        { "hello", true },
        { "p|5 \"quoted\" back\\slash <tag> & 'apostrophe' +plus", true },
        { "é ü 漢字 😀 \u0001 \t \n", false },
        { "", true },
        { new string('x', 5000), false },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_batch_writer_writes_the_same_bytes_as_the_serializer(string payload, bool withCreatedAt)
    {
        var t = new DateTimeOffset(2026, 11, 28, 16, 0, 0, 123, TimeSpan.FromHours(1)).AddTicks(4567);
        var result = new ProcessedResult(9_007_199_254_740_991, payload, withCreatedAt ? t : null, t.AddSeconds(1), t.AddSeconds(2), "processor-abc-12345678", 3);

        ResultJson.ToJson(result).ShouldBe(OrderingJson.Serialize(result));
    }

    [Fact]
    public void Results_written_one_after_another_into_one_pooled_buffer_stay_separate()
    {
        var t = DateTimeOffset.UnixEpoch;
        var buffer = new PooledBufferWriter(16);
        var json = new ResultJson();
        var ends = new List<int>();
        for (var seq = 1; seq <= 50; seq++)
        {
            json.Write(buffer, seq, $"payload-{seq}", t, t, t, "p", 1);
            ends.Add(buffer.WrittenCount);
        }

        var written = buffer.WrittenMemory.ToArray();
        for (var i = 0; i < ends.Count; i++)
        {
            var start = i == 0 ? 0 : ends[i - 1];
            System.Text.Encoding.UTF8.GetString(written, start, ends[i] - start)
                .ShouldBe(OrderingJson.Serialize(new ProcessedResult(i + 1, $"payload-{i + 1}", t, t, t, "p", 1)));
        }

        buffer.Return();
    }
}
