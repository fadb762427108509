using System.Security.Cryptography;
using System.Text;

namespace QueueLab.Rabbit;

/// <summary>
/// The Redis processing-state key: one per queue + message + state (queue first, so keys are prefixed by queue). An id
/// longer than <see cref="MaxPlainIdBytes"/> UTF-8 bytes, or one that starts with <c>#</c>, appears as <c>#</c> and its
/// SHA-256 in hex, so a key stays short whatever the id (the parser allows ids of up to 1 KB).
/// </summary>
public static class ProcessingKeys
{
    public const string Prefix = "queuelab:processing:";

    /// <summary>The longest id that appears in a key as it is.</summary>
    public const int MaxPlainIdBytes = 128;

    public static string For(string queue, string messageId, string currentState) => $"{Prefix}{queue}:{IdPart(messageId)}:{currentState}";

    private static string IdPart(string messageId) =>
        messageId.StartsWith('#') || Encoding.UTF8.GetByteCount(messageId) > MaxPlainIdBytes
            ? "#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)))
            : messageId;
}
