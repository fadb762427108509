namespace QueueLab.Ordering.Redis;

/// <summary>What the sequence script said about the caller's right to emit.</summary>
public enum SequenceStatus
{
    Ok = 1,

    /// <summary>The caller does not hold the lock (it expired, or another leader took it).</summary>
    NotLockHolder = -1,

    /// <summary>The caller's fencing epoch is not the current one.</summary>
    StaleEpoch = -2,
}
