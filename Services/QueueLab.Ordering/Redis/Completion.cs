using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>One processed message to complete: its claim id (the seq; per key <c>key#seq</c>), its raw bytes and fingerprint (to find it in the in-flight
/// list and its claim), the result (<see cref="Body"/>: its UTF-8 JSON, as a string or as bytes from a pooled buffer).</summary>
public sealed record Completion(string Id, byte[] Raw, string Fingerprint, RedisValue Body, string TraceParent, long ProcessedAtMs);
