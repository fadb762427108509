namespace QueueLab.Ordering.Redis;

/// <summary>One processed message to complete: its seq, the raw input (to remove from the in-flight list), the result.</summary>
public sealed record Completion(long Seq, string Raw, string Body, string TraceParent, long ProcessedAtMs);
