namespace QueueLab.Rabbit;

/// <summary>The PostgreSQL tables of pipeline A (created by the schema manager) and the outcomes the log records.</summary>
public static class LabTables
{
    /// <summary>One row per (message id, current state, queue): primary key on those three.</summary>
    public const string FinalStates = "final_states";

    /// <summary>One row per handling of a delivery, in every phase: duplicates can be counted from data.</summary>
    public const string ProcessingLog = "processing_log";

    /// <summary>One row per retention (name, cutoff): the processing log's row says before when its units may have been
    /// deleted, so a check knows which final states the log can no longer explain.</summary>
    public const string Retention = "queuelab_retention";

    /// <summary>The <see cref="Retention"/> row of the processing log.</summary>
    public const string ProcessingLogRetention = "processing_log";
}

public static class ProcessingOutcomes
{
    /// <summary>Processed and its final state stored by this delivery.</summary>
    public const string Processed = "processed";

    /// <summary>Processed, but the final state was already there (phase 1 has no check before processing).</summary>
    public const string ProcessedAgain = "processed-again";

    /// <summary>Phase 2: the final state existed before processing; acked without processing.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Phase 2: another consumer held the processing key; put back with a delay.</summary>
    public const string Held = "held";

    public const string Retried = "retried";
    public const string DeadLettered = "dead-lettered";
}
