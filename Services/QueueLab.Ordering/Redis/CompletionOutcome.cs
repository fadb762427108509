namespace QueueLab.Ordering.Redis;

/// <summary>What <see cref="Scripts.ProcessorScripts.Complete"/> did with one message.</summary>
public enum CompletionOutcome
{
    /// <summary>The message was no longer in this processor's in-flight list (another processor owns it): nothing changed.</summary>
    Lost = 0,

    /// <summary>Recorded, its result in the stream, out of the in-flight list.</summary>
    Completed = 1,

    /// <summary>Its seq already has an outcome (or belongs to another message): nothing changed; dead-letter it as a duplicate.</summary>
    Decided = 2,
}
