namespace QueueLab.Lab.Rabbit;

/// <summary>Rows read from the processing log, with the read's snapshot bounds (transaction ids, as PostgreSQL's
/// <c>pg_snapshot_xmin</c> / <c>pg_snapshot_xmax</c> give them).</summary>
public sealed record LogTail(IReadOnlyList<LoggedProcessing> Rows, long SnapshotXmin, long SnapshotXmax);
