namespace QueueLab.Ordering.Redis;

/// <summary>The outcome of one call of the sequence script. <see cref="Cursor"/> is the id of the last stream entry
/// taken in: an idle leader waits for an entry after it.</summary>
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
    IReadOnlyList<EmittedResult> EmittedResults,
    string Cursor)
{
    public static SequenceBatch Refused(SequenceStatus status) => new(status, 0, 0, 0, 0, 0, 0, 0, false, [], "0-0");
}
