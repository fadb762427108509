namespace QueueLab.Ordering.Redis;

/// <summary>One message a sequence call appended to the output: its seq, trace context and processed time; per key, also
/// its key (<see cref="Seq"/> is then that key's).</summary>
public sealed record EmittedResult(long Seq, string TraceParent, long ProcessedAtMs, string? Key = null);
