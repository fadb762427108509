namespace QueueLab.Ordering.Redis;

/// <summary>The outcome of one call of the sequence script.</summary>
public sealed record SequenceBatch(
    SequenceStatus Status,
    long Read,
    long Buffered,
    long Dropped,
    long Emitted,
    long Skipped,
    long NextSeq,
    long BufferDepth,
    bool More,
    IReadOnlyList<EmittedResult> EmittedResults)
{
    public static SequenceBatch Refused(SequenceStatus status) => new(status, 0, 0, 0, 0, 0, 0, 0, false, []);
}
