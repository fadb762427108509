namespace QueueLab.Ordering.Redis;

/// <summary>Whether dead-lettering a message also records its seq as skipped (so the sequencer passes it).</summary>
public enum SkipMode
{
    /// <summary>No skip: the message's seq is unknown or not its own.</summary>
    None = 0,

    /// <summary>Skip if the seq is this message's and undecided.</summary>
    IfUndecided = 1,

    /// <summary>Skip also when a record of this message is pending (the system of record refused that record).</summary>
    IfUndecidedOrPending = 2,
}
