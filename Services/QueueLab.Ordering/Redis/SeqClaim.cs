namespace QueueLab.Ordering.Redis;

/// <summary>What the take script found out about a message's seq when it took the message.</summary>
public enum SeqClaim
{
    /// <summary>No seq recognised: the processor's parser decides (and claims the seq if it finds a valid one).</summary>
    Unknown = -1,

    /// <summary>A different message claimed this seq first: this one is a duplicate.</summary>
    Duplicate = 0,

    /// <summary>The seq belongs to this message.</summary>
    Claimed = 1,
}
