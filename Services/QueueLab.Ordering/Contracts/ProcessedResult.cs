using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// What a processor writes to the results stream (field <c>body</c>) and to the system of record. The sequencer
/// appends <c>sequencingAt</c> and <c>sequencedAt</c> to it, which makes it a <see cref="SequencedMessage"/>.
/// </summary>
public sealed record ProcessedResult(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("processingAt")] DateTimeOffset ProcessingAt,
    [property: JsonPropertyName("processedAt")] DateTimeOffset ProcessedAt,
    [property: JsonPropertyName("processor")] string Processor,
    [property: JsonPropertyName("attempts")] int Attempts)
{
    /// <summary>The message's key (per-key mode; absent in global order).</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }
}
