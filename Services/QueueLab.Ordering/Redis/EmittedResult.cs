namespace QueueLab.Ordering.Redis;

/// <summary>One message a sequence call appended to the output: its seq, trace context and processed time.</summary>
public sealed record EmittedResult(long Seq, string TraceParent, long ProcessedAtMs);
