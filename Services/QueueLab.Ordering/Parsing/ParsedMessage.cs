using QueueLab.Ordering.Contracts;

namespace QueueLab.Ordering.Parsing;

/// <summary>
/// The outcome of reading one raw input message: either <see cref="Message"/>, or a rejection with its
/// <see cref="DeadLetterReasons">reason</see> and detail. <see cref="Seq"/> is known whenever the <c>seq</c> itself
/// was read and valid: such a message claims its seq, and when it is rejected that seq is recorded as skipped. Per key,
/// <see cref="Key"/> is read first, and a message claims (and a rejected one skips) its key's seq only when both were read.
/// </summary>
public sealed record ParsedMessage(OrderingMessage? Message, string? Reason, string? Detail, long? Seq, string? Key = null)
{
    public bool IsValid => Message is not null;

    public static ParsedMessage Valid(OrderingMessage message) => new(message, null, null, message.Seq, message.Key);

    public static ParsedMessage Rejected(string reason, string detail, long? seq = null, string? key = null) => new(null, reason, detail, seq, key);
}
