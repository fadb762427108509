using QueueLab.Verification;

namespace QueueLab.Lab.Rabbit;

/// <summary>
/// One row of pipeline A's processing log that processed a message on a queue (its final state was stored).
/// <see cref="LoggedAt"/> is when its transaction committed, where the server tracks commit times (the lab's PostgreSQL
/// does: <c>track_commit_timestamp</c>), else when the row was written (<c>logged_at</c>).
/// </summary>
public sealed record LoggedProcessing(long Id, QueuedMessage Pair, DateTimeOffset LoggedAt);
