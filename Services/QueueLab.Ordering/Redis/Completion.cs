namespace QueueLab.Ordering.Redis;

/// <summary>One processed message to complete: its seq, its raw bytes and fingerprint (to find it in the in-flight
/// list and its claim), the result.</summary>
public sealed record Completion(long Seq, byte[] Raw, string Fingerprint, string Body, string TraceParent, long ProcessedAtMs);
