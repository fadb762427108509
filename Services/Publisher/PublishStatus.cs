namespace QueueLab.Publisher;

public enum PublishStatus
{
    /// <summary>The broker confirmed the message: it is published.</summary>
    Confirmed,

    /// <summary>No queue is bound for the exchange and routing key (the broker returned it).</summary>
    Unroutable,

    /// <summary>Every attempt was nacked or timed out.</summary>
    Failed,

    /// <summary>The request itself was invalid (unknown exchange or state, a message id the consumer would refuse).</summary>
    Rejected,
}
