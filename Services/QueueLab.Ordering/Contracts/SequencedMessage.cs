using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// An output message, as the sequencer appends it to <see cref="OrderingKeys.Output"/>, in <c>seq</c> order, with
/// the time of each stage: created (producer), processing / processed (processor), sequencing (read from the
/// stream by the leader), sequenced (appended to the output).
/// </summary>
public sealed record SequencedMessage(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("processingAt")] DateTimeOffset ProcessingAt,
    [property: JsonPropertyName("processedAt")] DateTimeOffset ProcessedAt,
    [property: JsonPropertyName("sequencingAt")] DateTimeOffset SequencingAt,
    [property: JsonPropertyName("sequencedAt")] DateTimeOffset SequencedAt,
    [property: JsonPropertyName("processor")] string Processor,
    [property: JsonPropertyName("attempts")] int Attempts)
{
    /// <summary>The message's key (per-key mode; absent in global order): the output keeps each key's seqs in order.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }
}
