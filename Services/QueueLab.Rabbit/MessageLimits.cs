namespace QueueLab.Rabbit;

/// <summary>The bounds of pipeline A's input contract (README, Pipeline A): past them a message is dead-lettered.</summary>
public static class MessageLimits
{
    /// <summary>The longest <c>x-message-id</c> in UTF-8 bytes (it is part of the final state's primary key).</summary>
    public const int MaxMessageIdBytes = 1024;

    /// <summary>
    /// The most bytes a message's header table may take (<see cref="HeaderSize"/>): half of RabbitMQ's default
    /// <c>frame_max</c>, so that a retry or dead-letter copy with the consumer's own headers still fits in one frame.
    /// </summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The largest <c>x-retry-count</c> or <c>x-held-count</c>; the consumer never writes more.</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>The latest <c>createdAtUnixMs</c>, 9999-12-31T23:59:59.999Z (the last instant a timestamp can hold).</summary>
    public const long MaxCreatedAtUnixMs = 253_402_300_799_999;
}
