namespace QueueLab.Ordering.Parsing;

/// <summary>The size limits of the input contract: the raw message (checked before any decoding) and its payload.</summary>
public sealed record ParserLimits(int MaxMessageBytes, int MaxPayloadBytes)
{
    public const int DefaultMaxMessageBytes = 64 * 1024;

    public const int DefaultMaxPayloadBytes = 4096;

    public static ParserLimits Default { get; } = new(DefaultMaxMessageBytes, DefaultMaxPayloadBytes);
}
