using QueueLab.Verification;

namespace QueueLab.Lab.Rabbit;

/// <summary>Pipeline A's stored outcome: the processing log checked against the final states, and the outcome counts.</summary>
/// <param name="Report">Every (message, queue) with a final state must have been processed exactly once (at least once in
/// phase 1) according to the processing log; a processing without a final state is reported as unexpected.</param>
/// <param name="Outcomes">Processing-log rows per outcome (processed, duplicate, held, retried, dead-lettered, ...).</param>
/// <param name="Pending">(message, queue) pairs seen in the log with neither a final state nor a dead letter yet.</param>
public sealed record RabbitCheck(int Phase, VerificationReport<QueuedMessage> Report, IReadOnlyDictionary<string, long> Outcomes, int FinalStates, int Pending)
{
    public string Headline
    {
        get
        {
            var s = Report.Summary;
            var counts = string.Join(", ", Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
            var mode = Phase == 1 ? "at least once (phase 1)" : $"exactly once (phase {Phase})";
            return Report.Passed
                ? $"pipeline A final states consistent, {mode}: {FinalStates} final states, {s.ExtraDeliveries} extra processings, {Pending} pending; log: {(counts.Length == 0 ? "empty" : counts)}"
                : $"pipeline A final states NOT consistent ({mode}): {s.Lost} final states without a processing, {s.Duplicated} processed more than once, " +
                  $"{s.Unexpected} processed without a final state, {Pending} pending; log: {counts}";
        }
    }
}
