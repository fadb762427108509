using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// An entry of <see cref="OrderingKeys.DeadLetter"/>: the raw input message, why it was rejected (one of
/// <see cref="DeadLetterReasons"/>), a human-readable detail, and the <c>seq</c> when it could be read.
/// </summary>
public sealed record DeadLetter(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("seq")] long? Seq,
    [property: JsonPropertyName("skipped")] bool Skipped,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("processor")] string Processor,
    [property: JsonPropertyName("at")] DateTimeOffset At);
