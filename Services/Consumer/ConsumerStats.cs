namespace QueueLab.Consumer;

public sealed record ConsumerStats(
    string ConsumerId, int Phase, IReadOnlyCollection<string> Queues, long Consumed, long Processed, long DuplicatesSkipped,
    long RequeuedHeld, long Retries, long DeadLettered);
