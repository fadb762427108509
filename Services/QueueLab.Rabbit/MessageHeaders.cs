namespace QueueLab.Rabbit;

/// <summary>The AMQP header names pipeline A's messages carry.</summary>
public static class MessageHeaders
{
    public const string MessageId = "x-message-id";
    public const string CurrentState = "x-current-state";
    public const string ProcessingState = "x-processing-state";
    public const string NextState = "x-next-state";

    /// <summary>W3C trace context (<c>traceparent</c> / <c>tracestate</c>), written by the propagator.</summary>
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>When the publisher first sent the message (Unix milliseconds, an AMQP long; the AMQP timestamp property
    /// has whole seconds only). Optional: the consumer's wait histogram reads it, nothing else depends on it.</summary>
    public const string PublishedAt = "x-published-at";

    /// <summary>How many times the consumer has already retried this message after a processing failure.</summary>
    public const string RetryCount = "x-retry-count";

    /// <summary>How many times the message was put back because another consumer held its processing key.</summary>
    public const string HeldCount = "x-held-count";

    /// <summary>The queue a dead-lettered or retried message came from.</summary>
    public const string OriginalQueue = "x-original-queue";

    public const string DeadLetterReason = "x-dead-letter-reason";
    public const string DeadLetterDetail = "x-dead-letter-detail";

    /// <summary>On a dead letter made from a delivery the broker redelivered (after a lost connection or broker, before the
    /// consumer's ack) whose earlier dead letter the log could not rule out: it may repeat one already in the queue (same
    /// message id and reason); a reader that must see each once drops it then.</summary>
    public const string DeadLetterRedelivered = "x-dead-letter-redelivered";

    /// <summary>On a copy whose original headers were over <see cref="MessageLimits.MaxHeaderBytes"/>: what was left out.</summary>
    public const string HeadersDropped = "x-headers-dropped";

    /// <summary>The headers every message must carry, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> Required = [MessageId, CurrentState, ProcessingState, NextState];
}
