using System.Globalization;
using System.Text;
using System.Text.Json;
using QueueLab.Ordering.Contracts;

namespace QueueLab.Ordering.Parsing;

/// <summary>
/// Reads a raw input message and says precisely what is wrong with a bad one; it never throws on bad input.
/// </summary>
public static class MessageParser
{
    /// <summary>The largest seq the sequencer's Lua arithmetic (IEEE doubles) handles exactly: 2^53 - 1.</summary>
    public const long MaxSeq = 9_007_199_254_740_991;

    public static ParsedMessage Parse(string raw, int maxPayloadBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw);
        }
        catch (JsonException ex)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidJson, $"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidJson, $"expected a JSON object, got {root.ValueKind}");
            }

            if (!root.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind == JsonValueKind.Null)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.MissingSeq, "the message has no \"seq\"");
            }

            if (seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var seq))
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidSeq,
                    $"\"seq\" must be a 64-bit integer, got {Truncate(seqElement.GetRawText())}");
            }

            if (seq <= 0)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidSeq, $"\"seq\" must be positive (1, 2, ...), got {seq}");
            }

            if (seq > MaxSeq)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidSeq, $"\"seq\" must be at most {MaxSeq}, got {seq}");
            }

            if (!root.TryGetProperty("payload", out var payloadElement) || payloadElement.ValueKind == JsonValueKind.Null)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.MissingPayload, "the message has no \"payload\"", seq);
            }

            if (payloadElement.ValueKind != JsonValueKind.String)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.MissingPayload,
                    $"\"payload\" must be a string, got {payloadElement.ValueKind}", seq);
            }

            var payload = payloadElement.GetString()!;
            var size = Encoding.UTF8.GetByteCount(payload);
            if (size > maxPayloadBytes)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.PayloadTooLarge,
                    $"\"payload\" is {size} bytes; the limit is {maxPayloadBytes}", seq);
            }

            DateTimeOffset? createdAt = null;
            if (root.TryGetProperty("createdAt", out var createdElement) && createdElement.ValueKind != JsonValueKind.Null)
            {
                if (createdElement.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParse(createdElement.GetString(), CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
                {
                    return ParsedMessage.Rejected(DeadLetterReasons.InvalidJson,
                        $"\"createdAt\" must be an ISO-8601 date-time string, got {Truncate(createdElement.GetRawText())}", seq);
                }

                createdAt = created;
            }

            string? traceParent = null;
            if (root.TryGetProperty("traceparent", out var traceElement) && traceElement.ValueKind == JsonValueKind.String)
            {
                traceParent = traceElement.GetString();
            }

            return ParsedMessage.Valid(new OrderingMessage(seq, payload, createdAt, traceParent));
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
