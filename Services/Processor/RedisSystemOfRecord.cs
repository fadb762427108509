using QueueLab.Ordering.Contracts;

namespace QueueLab.Processor;

/// <summary>The default: the completion script writes the Redis hash (HSETNX per seq) with the stream entry.</summary>
public sealed class RedisSystemOfRecord : ISystemOfRecord
{
    public bool RecordedByCompletionScript => true;

    public Task RecordAsync(ProcessedResult result, string body, CancellationToken cancellationToken) => Task.CompletedTask;
}
