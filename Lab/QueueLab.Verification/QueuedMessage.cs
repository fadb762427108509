namespace QueueLab.Verification;

/// <summary>The unit that pipeline A must process exactly once: one message on one queue.</summary>
/// <param name="MessageId">The message's <c>x-message-id</c>.</param>
/// <param name="Queue">The queue it was routed to.</param>
public sealed record QueuedMessage(string MessageId, string Queue)
{
    /// <inheritdoc />
    public override string ToString() => $"{MessageId}@{Queue}";
}
