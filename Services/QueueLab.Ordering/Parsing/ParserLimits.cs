namespace QueueLab.Ordering.Parsing;

/// <summary>The size limits of the input contract: the raw message (checked before any decoding) and its payload; and the
/// ordering mode, which decides whether a message must carry a <c>key</c>.</summary>
public sealed record ParserLimits(int MaxMessageBytes, int MaxPayloadBytes)
{
    /// <summary>The longest message key accepted, in UTF-8 bytes (per-key mode).</summary>
    public const int MaxKeyBytes = 256;

    /// <summary>Per key, a message must carry a valid <c>key</c>; in global order a <c>key</c> is not read.</summary>
    public OrderingMode Mode { get; init; }

    public const int DefaultMaxMessageBytes = 64 * 1024;

    public const int DefaultMaxPayloadBytes = 4096;

    public static ParserLimits Default { get; } = new(DefaultMaxMessageBytes, DefaultMaxPayloadBytes);
}
