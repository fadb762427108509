using System.Text.Json.Serialization;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// An entry of <see cref="OrderingKeys.DeadLetter"/>: why the message was rejected (one of <see cref="DeadLetterReasons"/>),
/// a human-readable detail, the <c>seq</c> when it could be read, whether that seq was recorded as skipped, and the
/// raw input, losslessly: <c>message</c> when it is valid UTF-8, otherwise <c>messageBase64</c>.
/// </summary>
public sealed record DeadLetter(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("seq")] long? Seq,
    [property: JsonPropertyName("skipped")] bool Skipped,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("processor")] string Processor,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("messageBase64")] string? MessageBase64 = null)
{
    /// <summary>The message's key when it was read (per-key mode): <c>seq</c> is then that key's.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    /// <summary>The raw input message's bytes, from whichever field holds them.</summary>
    public byte[] RawBytes() =>
        MessageBase64 is { } b64 ? Convert.FromBase64String(b64) : System.Text.Encoding.UTF8.GetBytes(Message ?? "");
}
