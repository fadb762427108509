namespace QueueLab.Ordering.Redis;

/// <summary>What the claim script answered for a message's seq (see <see cref="Scripts.ProcessorScripts.Claim"/>).</summary>
public enum SeqClaim
{
    /// <summary>The parser found no valid seq: nothing was claimed.</summary>
    None = -1,

    /// <summary>The seq belongs to another partition (seq mod P): the message was pushed to the wrong partition's input,
    /// and nothing was claimed.</summary>
    WrongPartition = -2,

    /// <summary>Another message owns this seq (it claimed it first, or the seq was already passed).</summary>
    Duplicate = 0,

    /// <summary>The seq is this message's and its outcome is still open.</summary>
    Claimed = 1,

    /// <summary>The seq is this message's, and an identical copy of it was already processed or skipped.</summary>
    Finished = 2,
}
