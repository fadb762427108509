namespace QueueLab.Publisher;

/// <summary>What a batch achieved; <see cref="Failures"/> lists every message that was not confirmed.</summary>
public sealed record BatchOutcome(int Requested, int Confirmed, int Unroutable, int Failed, int Rejected, int Retries, double ElapsedMs,
    IReadOnlyList<PublishOutcome> Failures);
