using System.Globalization;
using QueueLab.Ordering.Contracts;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>Per-stage latency (p50 / p99 / max) of output messages, from their timestamps, for test output.</summary>
public static class StageReport
{
    public static string Describe(IReadOnlyList<SequencedMessage> messages)
    {
        static string Stage(string name, IEnumerable<TimeSpan> spans)
        {
            var ms = spans.Select(s => s.TotalMilliseconds).Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"{name} p50 {ms[ms.Length / 2]:0.0} / p99 {ms[(int)(ms.Length * 0.99)]:0.0} / max {ms[^1]:0.0} ms");
        }

        return string.Join("; ",
            Stage("created->processing", messages.Where(m => m.CreatedAt is not null).Select(m => m.ProcessingAt - m.CreatedAt!.Value)),
            Stage("processing->processed", messages.Select(m => m.ProcessedAt - m.ProcessingAt)),
            Stage("processed->sequencing", messages.Select(m => m.SequencingAt - m.ProcessedAt)),
            Stage("sequencing->sequenced", messages.Select(m => m.SequencedAt - m.SequencingAt)));
    }
}
