using System.Buffers;
using System.Text.Json;

namespace QueueLab.Ordering.Contracts;

/// <summary>
/// Writes a <see cref="ProcessedResult"/> as UTF-8 JSON straight into a buffer, byte for byte what
/// <see cref="OrderingJson.Serialize(ProcessedResult)"/> writes (same property order, the same default escaping, no
/// <c>createdAt</c> when it is null), without the intermediate string: a processor writes the bodies of a whole batch
/// into one pooled buffer and hands Redis the bytes.
/// </summary>
public sealed class ResultJson
{
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText Payload = JsonEncodedText.Encode("payload");
    private static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("createdAt");
    private static readonly JsonEncodedText ProcessingAt = JsonEncodedText.Encode("processingAt");
    private static readonly JsonEncodedText ProcessedAt = JsonEncodedText.Encode("processedAt");
    private static readonly JsonEncodedText Processor = JsonEncodedText.Encode("processor");
    private static readonly JsonEncodedText Attempts = JsonEncodedText.Encode("attempts");
    private static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");

    private readonly Utf8JsonWriter _writer = new(new ArrayBufferWriter<byte>(1));

    /// <summary>Appends one result object to <paramref name="output"/> (one writer, reused: not thread-safe).</summary>
    public void Write(IBufferWriter<byte> output, long seq, string payload, DateTimeOffset? createdAt, DateTimeOffset processingAt,
        DateTimeOffset processedAt, string processor, int attempts, string? key = null)
    {
        _writer.Reset(output);
        _writer.WriteStartObject();
        _writer.WriteNumber(Seq, seq);
        _writer.WriteString(Payload, payload);
        if (createdAt is { } created)
        {
            _writer.WriteString(CreatedAt, created);
        }

        _writer.WriteString(ProcessingAt, processingAt);
        _writer.WriteString(ProcessedAt, processedAt);
        _writer.WriteString(Processor, processor);
        _writer.WriteNumber(Attempts, attempts);
        if (key is not null)
        {
            _writer.WriteString(Key, key);
        }

        _writer.WriteEndObject();
        _writer.Flush();
    }

    public static string ToJson(ProcessedResult result)
    {
        var output = new ArrayBufferWriter<byte>(256);
        new ResultJson().Write(output, result.Seq, result.Payload, result.CreatedAt, result.ProcessingAt, result.ProcessedAt, result.Processor, result.Attempts, result.Key);
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
