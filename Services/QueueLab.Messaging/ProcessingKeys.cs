namespace QueueLab.Messaging;

/// <summary>The Redis processing-state key: one per queue + message + state (queue first, so keys are prefixed by queue).</summary>
public static class ProcessingKeys
{
    public const string Prefix = "queuelab:processing:";

    public static string For(string queue, string messageId, string currentState) => $"{Prefix}{queue}:{messageId}:{currentState}";
}
