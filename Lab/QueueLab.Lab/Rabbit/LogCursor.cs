namespace QueueLab.Lab.Rabbit;

/// <summary>
/// Where a follower of the processing log may read from without missing a row. Log ids are taken when a row is
/// inserted and become visible when its transaction commits, so rows commit out of id order: a read can see id 150
/// while id 120's transaction is still running. Reading only past the highest id seen would miss 120 for ever; reading
/// a fixed number of rows back re-reads thousands of rows on every poll under load.
/// <para>
/// The cursor instead stays at the highest id below which every row is known to be visible. After a read that saw up
/// to id M, every transaction that could still insert a row below M was running then, so its transaction id is below
/// that read's snapshot xmax. Once a later read's snapshot xmin reaches that xmax, all of them have ended, and the
/// cursor moves to M. A follower therefore re-reads only the rows of the last poll or two, and must skip the rows it
/// has already seen. (A row whose id was taken just before its transaction got its transaction id is the one case this
/// cannot bound; a follower that also re-reads from its start once in a while, as the load suites' final-state watcher
/// does after a quiet second, finds it then.)
/// </para>
/// </summary>
public sealed class LogCursor(long start)
{
    private (long MaxId, long Xmax)? _pending;
    private long _maxSeen = start;

    /// <summary>Read rows with ids above this.</summary>
    public long After { get; private set; } = start;

    /// <summary>Takes in what a read from <see cref="After"/> returned.</summary>
    public void Advance(LogTail tail)
    {
        ArgumentNullException.ThrowIfNull(tail);
        foreach (var row in tail.Rows)
        {
            _maxSeen = Math.Max(_maxSeen, row.Id);
        }

        if (_pending is { } pending && tail.SnapshotXmin >= pending.Xmax)
        {
            After = Math.Max(After, pending.MaxId);
            _pending = null;
        }

        // One bound at a time: replacing it on every read would chase a moving xmax under steady load and never settle.
        _pending ??= (_maxSeen, tail.SnapshotXmax);
    }
}
