using QueueLab.Ordering.Contracts;

namespace QueueLab.Ordering.Parsing;

/// <summary>
/// The outcome of reading one raw input message: either <see cref="Message"/>, or a rejection with its
/// <see cref="DeadLetterReasons">reason</see> and detail. <see cref="Seq"/> is known whenever the <c>seq</c> itself
/// was read and valid: such a message claims its seq, and when it is rejected that seq is recorded as skipped.
/// </summary>
public sealed record ParsedMessage(OrderingMessage? Message, string? Reason, string? Detail, long? Seq)
{
    public bool IsValid => Message is not null;

    public static ParsedMessage Valid(OrderingMessage message) => new(message, null, null, message.Seq);

    public static ParsedMessage Rejected(string reason, string detail, long? seq = null) => new(null, reason, detail, seq);
}
