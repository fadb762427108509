namespace QueueLab.Publisher;

public sealed record PublishBatchRequest(IReadOnlyList<PublishRequest> Messages);
