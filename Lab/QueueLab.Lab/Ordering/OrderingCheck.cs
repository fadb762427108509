using QueueLab.Verification;

namespace QueueLab.Lab.Ordering;

/// <summary>What pipeline B holds right now: the invariant check of its whole output, and the work still pending.</summary>
/// <param name="Report">Every seq the sequencer has passed (from the oldest the output keeps to next-seq - 1) against the
/// output, in exact order; the skipped (dead-lettered) seqs are expected not to come out.</param>
/// <param name="NextSeq">The next seq the sequencer waits for.</param>
/// <param name="FirstKept">The oldest seq the output list still holds (its retention cut the ones before).</param>
/// <param name="Input">Messages waiting in the input.</param>
/// <param name="InFlight">Messages the processors have taken and not finished.</param>
/// <param name="Buffered">Results in the sequencer's reorder buffer.</param>
/// <param name="DeadLettered">Entries in the dead-letter list.</param>
/// <remarks>Per key (<see cref="PerKey"/>), the report's ids are <c>key#seq</c>, <see cref="NextSeq"/> is 1 + the ids passed over
/// every key, and <see cref="FirstKept"/> is 1 when no output was cut yet, else 0.</remarks>
public sealed record OrderingCheck(VerificationReport<string> Report, long NextSeq, long FirstKept, long Input, long InFlight, long Buffered, long DeadLettered)
{
    public bool Idle => Input == 0 && InFlight == 0 && Buffered == 0 && Settled;

    /// <summary>Whether the output stayed still while the check read it (its newest entry the same before and after): a check
    /// made while the sequencer emitted can pair a next seq with an output that already holds the seq after it.</summary>
    public bool Settled { get; init; } = true;

    /// <summary>Whether the check was per key.</summary>
    public bool PerKey { get; init; }

    public string Headline
    {
        get
        {
            var s = Report.Summary;
            var pending = Idle ? "nothing pending"
                : !Settled ? "pending: the output moved while it was read"
                : $"pending: {Input} in the input, {InFlight} in flight, {Buffered} in the reorder buffer";
            if (NextSeq == 1 && s.Observed == 0)
            {
                return $"pipeline B output empty: no seq passed yet ({DeadLettered} dead-lettered); {pending}";
            }

            if (PerKey)
            {
                var scope = $"{NextSeq - 1} passed" + (FirstKept == 0 ? "; each key checked from the oldest seq the output still holds" : "");
                return Report.Passed
                    ? $"pipeline B output exact per key: {s.Delivered} messages, each key in seq order ({scope}, {s.ExpectedSkipped} skipped, {DeadLettered} dead-lettered); {pending}"
                    : $"pipeline B output NOT exact per key: {s.Lost} lost, {s.Duplicated} duplicated, {s.Reordered} reordered, {s.Unexpected} unexpected ({scope}); {pending}";
            }

            var range = $"seqs {FirstKept}..{NextSeq - 1}" + (FirstKept > 1 ? $"; older ones cut by the output's retention" : "");
            return Report.Passed
                ? $"pipeline B output exact: {s.Delivered} messages in seq order ({range}, {s.ExpectedSkipped} skipped, {DeadLettered} dead-lettered); {pending}"
                : $"pipeline B output NOT exact: {s.Lost} lost, {s.Duplicated} duplicated, {s.Reordered} reordered, {s.Unexpected} unexpected of {range}; {pending}";
        }
    }
}
