namespace QueueLab.Messaging;

/// <summary>Why a message was dead-lettered; written to <see cref="MessageHeaders.DeadLetterReason"/> in kebab case.</summary>
public enum DeadLetterReason
{
    UnparseableBody,
    MissingHeader,
    UnknownTransition,
    OversizedBody,
    RetriesExhausted,
}

public static class DeadLetterReasons
{
    public static string ToHeaderValue(this DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.UnparseableBody => "unparseable-body",
        DeadLetterReason.MissingHeader => "missing-header",
        DeadLetterReason.UnknownTransition => "unknown-transition",
        DeadLetterReason.OversizedBody => "oversized-body",
        DeadLetterReason.RetriesExhausted => "retries-exhausted",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
