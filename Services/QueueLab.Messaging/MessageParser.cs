using System.Text.Json;

namespace QueueLab.Messaging;

/// <summary>
/// Turns a delivery into a <see cref="LabMessage"/> or a dead-letter reason. Checks, in order: body size, required
/// headers, the state transition, then the JSON body. Never throws for bad input.
/// </summary>
public static class MessageParser
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ParseResult Parse(IDictionary<string, object?>? headers, ReadOnlyMemory<byte> body, int maxBodyBytes)
    {
        var messageId = HeaderValues.GetString(headers, MessageHeaders.MessageId);
        if (body.Length > maxBodyBytes)
        {
            return ParseResult.Bad(DeadLetterReason.OversizedBody, $"The body has {body.Length} bytes; the limit is {maxBodyBytes}.", messageId);
        }

        foreach (var name in MessageHeaders.Required)
        {
            if (string.IsNullOrWhiteSpace(HeaderValues.GetString(headers, name)))
            {
                return ParseResult.Bad(DeadLetterReason.MissingHeader, $"The header {name} is missing or empty.", messageId);
            }
        }

        var current = HeaderValues.GetString(headers, MessageHeaders.CurrentState)!;
        var processing = HeaderValues.GetString(headers, MessageHeaders.ProcessingState)!;
        var next = HeaderValues.GetString(headers, MessageHeaders.NextState)!;
        if (!StateTransitions.IsKnown(current, processing, next))
        {
            return ParseResult.Bad(DeadLetterReason.UnknownTransition,
                $"No transition {current} -({processing})-> {next}; known: {string.Join(", ", StateTransitions.All.Select(t => $"{t.Current} -({t.Processing})-> {t.Next}"))}.",
                messageId);
        }

        MessageBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<MessageBody>(body.Span, Json);
        }
        catch (JsonException ex)
        {
            return ParseResult.Bad(DeadLetterReason.UnparseableBody, $"The body is not a JSON message body: {ex.Message}", messageId);
        }

        if (parsed?.Payload is null)
        {
            return ParseResult.Bad(DeadLetterReason.UnparseableBody, "The body has no 'payload' field.", messageId);
        }

        return ParseResult.Ok(new LabMessage(messageId!, StateTransitions.From(current)!, parsed,
            HeaderValues.GetInt(headers, MessageHeaders.RetryCount), HeaderValues.GetInt(headers, MessageHeaders.HeldCount)));
    }
}
