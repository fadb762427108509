using System.Text.Json;

namespace QueueLab.Rabbit;

/// <summary>Builds the headers and body of a well-formed message (used by the publisher and by tests).</summary>
public static class MessageFactory
{
    public static Dictionary<string, object?> Headers(string messageId, StateTransition transition) => new()
    {
        [MessageHeaders.MessageId] = messageId,
        [MessageHeaders.CurrentState] = transition.Current,
        [MessageHeaders.ProcessingState] = transition.Processing,
        [MessageHeaders.NextState] = transition.Next,
    };

    public static byte[] Body(MessageBody body) => JsonSerializer.SerializeToUtf8Bytes(body, MessageParser.Json);
}
