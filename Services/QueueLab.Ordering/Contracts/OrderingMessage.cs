using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// An input message, as producers push it onto <see cref="OrderingKeys.Input"/>:
/// <c>{"seq":1,"payload":"hello","createdAt":"2026-01-01T00:00:00Z"}</c>. <c>seq</c> is a positive 64-bit
/// integer, unique across the input and consecutive from 1; <c>traceparent</c> (W3C) is optional.
/// </summary>
public sealed record OrderingMessage(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("traceparent")] string? TraceParent = null);
