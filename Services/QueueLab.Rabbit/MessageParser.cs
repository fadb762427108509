using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace QueueLab.Rabbit;

/// <summary>
/// Decides, once, whether a delivery is a message the consumer can process: a <see cref="LabMessage"/> or a
/// dead-letter reason with a detail that is safe to log, store and send. Checks, in order: body size (before any
/// decoding), the size of the header table (<see cref="MessageLimits.MaxHeaderBytes"/>), the required headers (strings of valid UTF-8; the id at most <see cref="MessageLimits.MaxMessageIdBytes"/>
/// bytes without control characters), the counts (integers from 0 to <see cref="MessageLimits.MaxCount"/>), the state
/// transition, then the body (UTF-8 JSON with a <c>payload</c> string). Never throws for bad input.
/// </summary>
public static class MessageParser
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How much of a bad value a detail or a logged id repeats.</summary>
    private const int EchoChars = 128;

    public static ParseResult Parse(IDictionary<string, object?>? headers, ReadOnlyMemory<byte> body, int maxBodyBytes)
    {
        var idValue = Get(headers, MessageHeaders.MessageId);
        var loggedId = idValue is null ? null
            : HeaderValues.TryReadText(idValue, out var idText) ? Printable.Escape(idText, EchoChars) : Printable.Describe(idValue, EchoChars);
        if (body.Length > maxBodyBytes)
        {
            return ParseResult.Bad(DeadLetterReason.OversizedBody, $"The body has {body.Length} bytes; the limit is {maxBodyBytes}.", loggedId);
        }

        var headerBytes = HeaderSize.Of(headers);
        if (headerBytes > MessageLimits.MaxHeaderBytes)
        {
            return ParseResult.Bad(DeadLetterReason.InvalidHeader,
                $"The headers take {headerBytes} bytes; the limit is {MessageLimits.MaxHeaderBytes}.", loggedId);
        }

        var texts = new string[MessageHeaders.Required.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            var name = MessageHeaders.Required[i];
            var value = Get(headers, name);
            if (value is not null && !HeaderValues.TryReadText(value, out texts[i]))
            {
                return ParseResult.Bad(DeadLetterReason.InvalidHeader,
                    $"The header {name} must be a UTF-8 string; it is {Printable.Describe(value, EchoChars)}.", loggedId);
            }

            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                return ParseResult.Bad(DeadLetterReason.MissingHeader, $"The header {name} is missing or empty.", loggedId);
            }
        }

        var (messageId, current, processing, next) = (texts[0], texts[1], texts[2], texts[3]);
        if (MessageIds.Problem(messageId) is { } idProblem)
        {
            return ParseResult.Bad(DeadLetterReason.InvalidHeader,
                $"The header {MessageHeaders.MessageId} {idProblem}: {Printable.Escape(messageId, EchoChars)}.", loggedId);
        }

        var counts = new int[2];
        string[] countHeaders = [MessageHeaders.RetryCount, MessageHeaders.HeldCount];
        for (var i = 0; i < counts.Length; i++)
        {
            var value = Get(headers, countHeaders[i]);
            if (value is not null && !HeaderValues.TryReadCount(value, MessageLimits.MaxCount, out counts[i]))
            {
                return ParseResult.Bad(DeadLetterReason.InvalidHeader,
                    $"The header {countHeaders[i]} must be an integer from 0 to {MessageLimits.MaxCount}; it is {Printable.Describe(value, EchoChars)}.", loggedId);
            }
        }

        if (!StateTransitions.IsKnown(current, processing, next))
        {
            return ParseResult.Bad(DeadLetterReason.UnknownTransition,
                $"No transition {Printable.Escape(current, EchoChars)} -({Printable.Escape(processing, EchoChars)})-> {Printable.Escape(next, EchoChars)}; " +
                $"known: {string.Join(", ", StateTransitions.All.Select(t => $"{t.Current} -({t.Processing})-> {t.Next}"))}.",
                loggedId);
        }

        return TryParseBody(body.Span, out var parsed, out var problem)
            ? ParseResult.Ok(new LabMessage(messageId, StateTransitions.From(current)!, parsed, counts[0], counts[1]))
            : ParseResult.Bad(DeadLetterReason.UnparseableBody, problem, loggedId);
    }

    private static object? Get(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value : null;

    private static bool TryParseBody(ReadOnlySpan<byte> body, out MessageBody parsed, out string problem)
    {
        parsed = null!;
        if (!Utf8.IsValid(body))
        {
            problem = $"The body is not UTF-8: the bytes from offset {FirstInvalidUtf8(body)} are not a UTF-8 character.";
            return false;
        }

        MessageBody? read;
        try
        {
            read = JsonSerializer.Deserialize<MessageBody>(body, Json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            problem = $"The body is not a JSON message body: {Printable.Escape(ex.Message, 400)}";
            return false;
        }

        if (read?.Payload is null)
        {
            problem = "The body has no 'payload' string.";
            return false;
        }

        if (read.CreatedAtUnixMs is < 0 or > MessageLimits.MaxCreatedAtUnixMs)
        {
            problem = $"'createdAtUnixMs' is {read.CreatedAtUnixMs}; it must be from 0 to {MessageLimits.MaxCreatedAtUnixMs}.";
            return false;
        }

        (parsed, problem) = (read, "");
        return true;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        var offset = 0;
        while (offset < body.Length && Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }
}
