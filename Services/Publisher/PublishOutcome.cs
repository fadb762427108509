namespace QueueLab.Publisher;

public sealed record PublishOutcome(string MessageId, PublishStatus Status, int Attempts, string? Error = null);
