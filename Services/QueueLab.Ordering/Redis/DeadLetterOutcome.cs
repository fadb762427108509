namespace QueueLab.Ordering.Redis;

/// <summary>What <see cref="Scripts.ProcessorScripts.DeadLetter"/> did with one message.</summary>
public enum DeadLetterOutcome
{
    /// <summary>The message was no longer in this processor's in-flight list (another processor owns it): nothing written.</summary>
    Lost = 0,

    /// <summary>The entry is in the dead-letter list (once), and the seq skipped when asked.</summary>
    Written = 1,

    /// <summary>A skip was asked but the seq already has an outcome: nothing written; dead-letter it as a duplicate.</summary>
    Decided = 2,
}
