using System.Text;

namespace QueueLab.Rabbit;

/// <summary>The contract's rule for <c>x-message-id</c>, one place for the parser and the publisher's API.</summary>
public static class MessageIds
{
    /// <summary>Why <paramref name="id"/> cannot be a message id (to follow "The message id "), or null when it can:
    /// not empty, at most <see cref="MessageLimits.MaxMessageIdBytes"/> UTF-8 bytes, valid Unicode, no control character.</summary>
    public static string? Problem(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "is empty";
        }

        for (var i = 0; i < id.Length; i++)
        {
            if (char.IsControl(id[i]))
            {
                return $"contains the control character U+{(int)id[i]:X4}";
            }

            if (char.IsHighSurrogate(id[i]) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(id[i]))
            {
                return "is not valid Unicode (a lone surrogate)";
            }
        }

        var bytes = Encoding.UTF8.GetByteCount(id);
        return bytes > MessageLimits.MaxMessageIdBytes ? $"has {bytes} bytes; the limit is {MessageLimits.MaxMessageIdBytes}" : null;
    }
}
