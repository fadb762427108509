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

    /// <summary>The most messages that were being processed at the same moment (from processingAt / processedAt).</summary>
    public static int MaxConcurrentProcessing(IReadOnlyList<SequencedMessage> messages)
    {
        // An end sorts before a start at the same instant: a slot freed and taken again is not two at once.
        var events = messages.SelectMany(m => new[] { (At: m.ProcessingAt, Delta: 1), (At: m.ProcessedAt, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        int current = 0, max = 0;
        foreach (var (_, delta) in events)
        {
            current += delta;
            max = Math.Max(max, current);
        }

        return max;
    }
}
