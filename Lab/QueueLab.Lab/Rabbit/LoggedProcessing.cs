using QueueLab.Verification;

namespace QueueLab.Lab.Rabbit;

/// <summary>One row of pipeline A's processing log that processed a message on a queue (its final state was stored).</summary>
public sealed record LoggedProcessing(long Id, QueuedMessage Pair, DateTimeOffset LoggedAt);
