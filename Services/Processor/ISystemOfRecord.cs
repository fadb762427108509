using QueueLab.Ordering.Contracts;

namespace QueueLab.Processor;

/// <summary>Where a processed message is recorded, once per seq, before its result is published.</summary>
public interface ISystemOfRecord
{
    /// <summary>True when the record is written by the completion script itself (Redis), atomically with the stream entry.</summary>
    bool RecordedByCompletionScript { get; }

    Task RecordAsync(ProcessedResult result, string body, CancellationToken cancellationToken);
}
