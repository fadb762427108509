using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using QueueLab.Ordering.Contracts;

namespace QueueLab.Ordering.Parsing;

/// <summary>
/// The one place where the validity of an input message is decided. It never throws on bad input. The Lua scripts
/// never decode a message: they only move its bytes and act on what this parser found (the seq and the message's
/// <see cref="MessageFingerprint"/>), so the two sides cannot disagree.
/// <para>
/// In order: the size of the raw bytes (before any decoding), UTF-8, strict JSON (RFC 8259, no duplicate keys, depth
/// at most <see cref="MaxDepth"/>), then the fields. A rejection after <c>seq</c> was read carries that seq.
/// </para>
/// </summary>
public static class MessageParser
{
    /// <summary>The largest seq the sequencer's Lua arithmetic (IEEE doubles) handles exactly: 2^53 - 1.</summary>
    public const long MaxSeq = 9_007_199_254_740_991;

    /// <summary>The deepest nesting accepted (the message itself is depth 1).</summary>
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions Strict = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    public static ParsedMessage Parse(string raw, int maxPayloadBytes) =>
        Parse(Encoding.UTF8.GetBytes(raw), ParserLimits.Default with { MaxPayloadBytes = maxPayloadBytes });

    public static ParsedMessage Parse(ReadOnlyMemory<byte> raw, ParserLimits limits)
    {
        if (raw.Length > limits.MaxMessageBytes)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.MessageTooLarge,
                $"the message is {raw.Length} bytes; the limit is {limits.MaxMessageBytes} (it was not decoded)");
        }

        if (!Utf8.IsValid(raw.Span))
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidUtf8, "the message is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw, Strict);
        }
        catch (JsonException ex)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidJson, $"not one strict JSON value: {ex.Message}");
        }

        using (document)
        {
            return Read(document.RootElement, limits);
        }
    }

    private static ParsedMessage Read(JsonElement root, ParserLimits limits)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidJson, $"expected a JSON object, got {root.ValueKind}");
        }

        string? key = null;
        if (limits.Mode == OrderingMode.PerKey)
        {
            if (!root.TryGetProperty("key", out var keyElement) || keyElement.ValueKind == JsonValueKind.Null)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.MissingKey, "the message has no \"key\" (the pipeline keeps order per key)");
            }

            if (ReadKey(keyElement) is { } keyError)
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidKey, keyError);
            }

            key = keyElement.GetString()!;
        }

        if (!root.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind == JsonValueKind.Null)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.MissingSeq, "the message has no \"seq\"", key: key);
        }

        if (seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var seq))
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidSeq,
                $"\"seq\" must be an integer literal from 1 to {MaxSeq}, got {Truncate(seqElement.GetRawText())}", key: key);
        }

        if (seq is <= 0 or > MaxSeq)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidSeq, $"\"seq\" must be from 1 to {MaxSeq}, got {seq}", key: key);
        }

        if (!root.TryGetProperty("payload", out var payloadElement) || payloadElement.ValueKind == JsonValueKind.Null)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.MissingPayload, "the message has no \"payload\"", seq, key);
        }

        if (payloadElement.ValueKind != JsonValueKind.String)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidPayload, $"\"payload\" must be a string, got {payloadElement.ValueKind}", seq, key);
        }

        if (!TryGetString(payloadElement, out var payload))
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidPayload,
                "\"payload\" holds an escape that is not Unicode text (a lone surrogate such as \\ud800)", seq, key);
        }

        if (payload.Contains('\0', StringComparison.Ordinal))
        {
            return ParsedMessage.Rejected(DeadLetterReasons.InvalidPayload, "\"payload\" holds U+0000, which no system of record stores as text", seq, key);
        }

        var size = Encoding.UTF8.GetByteCount(payload);
        if (size > limits.MaxPayloadBytes)
        {
            return ParsedMessage.Rejected(DeadLetterReasons.PayloadTooLarge,
                $"\"payload\" is {size} bytes; the limit is {limits.MaxPayloadBytes}", seq, key);
        }

        DateTimeOffset? createdAt = null;
        if (root.TryGetProperty("createdAt", out var createdElement) && createdElement.ValueKind != JsonValueKind.Null)
        {
            if (createdElement.ValueKind != JsonValueKind.String || !TryGetDate(createdElement, out var created))
            {
                return ParsedMessage.Rejected(DeadLetterReasons.InvalidCreatedAt,
                    $"\"createdAt\" must be an ISO-8601 date-time string, got {Truncate(createdElement.GetRawText())}", seq, key);
            }

            createdAt = created;
        }

        // Optional and best effort: a trace context that is not a valid W3C traceparent string is ignored.
        string? traceParent = null;
        if (root.TryGetProperty("traceparent", out var traceElement) && traceElement.ValueKind == JsonValueKind.String
            && TryGetString(traceElement, out var tp) && System.Diagnostics.ActivityContext.TryParse(tp, null, out _))
        {
            traceParent = tp;
        }

        return ParsedMessage.Valid(new OrderingMessage(seq, payload, createdAt, traceParent) { Key = key });
    }

    /// <summary>Why a <c>key</c> is not acceptable (null when it is): a string of 1 to <see cref="ParserLimits.MaxKeyBytes"/>
    /// UTF-8 bytes of Unicode text without U+0000.</summary>
    private static string? ReadKey(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"\"key\" must be a string, got {element.ValueKind}";
        }

        if (!TryGetString(element, out var key))
        {
            return "\"key\" holds an escape that is not Unicode text (a lone surrogate such as \\ud800)";
        }

        var size = Encoding.UTF8.GetByteCount(key);
        return size == 0 ? "\"key\" is empty"
            : size > ParserLimits.MaxKeyBytes ? $"\"key\" is {size} bytes; the limit is {ParserLimits.MaxKeyBytes}"
            : key.Contains('\0', StringComparison.Ordinal) ? "\"key\" holds U+0000, which no system of record stores as text"
            : null;
    }

    private static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    private static bool TryGetDate(JsonElement element, out DateTimeOffset value)
    {
        try
        {
            return element.TryGetDateTimeOffset(out value);
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
