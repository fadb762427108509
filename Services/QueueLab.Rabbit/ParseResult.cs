namespace QueueLab.Rabbit;

/// <summary>Either a good <see cref="Message"/> or the reason it must go to the dead-letter queue.</summary>
public sealed record ParseResult(LabMessage? Message, DeadLetterReason? Reason, string Detail, string? MessageId)
{
    public bool IsValid => Message is not null;

    public static ParseResult Ok(LabMessage message) => new(message, null, "", message.MessageId);

    public static ParseResult Bad(DeadLetterReason reason, string detail, string? messageId) => new(null, reason, detail, messageId);
}
