using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// An input message, as producers push it onto <see cref="OrderingKeys.Input"/>:
/// <c>{"seq":1,"payload":"hello","createdAt":"2026-01-01T00:00:00Z"}</c>. <c>seq</c> is a positive 64-bit
/// integer, unique across the input and consecutive from 1; <c>traceparent</c> (W3C) is optional. Per key:
/// <c>{"key":"account-17","seq":1,"payload":"hello"}</c>, with seq unique and consecutive from 1 within its key.
/// </summary>
public sealed record OrderingMessage(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("traceparent")] string? TraceParent = null)
{
    /// <summary>Per-key mode: the key whose order the message belongs to (<c>seq</c> is then that key's, consecutive from 1
    /// per key). Not read in global order.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }
}
