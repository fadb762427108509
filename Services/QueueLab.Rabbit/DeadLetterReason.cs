namespace QueueLab.Rabbit;

/// <summary>Why a message was dead-lettered; written to <see cref="MessageHeaders.DeadLetterReason"/> in kebab case.</summary>
public enum DeadLetterReason
{
    /// <summary>The body is not UTF-8 JSON with a <c>payload</c> string, or a field is out of range.</summary>
    UnparseableBody,

    /// <summary>A required header is absent or empty.</summary>
    MissingHeader,

    /// <summary>The three state headers name no known transition.</summary>
    UnknownTransition,

    /// <summary>The body is over the consumer's limit (checked before any decoding).</summary>
    OversizedBody,

    /// <summary>Processing failed on every attempt (the first and <c>MaxRetries</c> more).</summary>
    RetriesExhausted,

    /// <summary>A header of the contract has the wrong type, is not UTF-8, or is out of range.</summary>
    InvalidHeader,

    /// <summary>A server refused the message's data in a way no retry can heal (a PostgreSQL data or constraint error).</summary>
    DataError,
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
        DeadLetterReason.InvalidHeader => "invalid-header",
        DeadLetterReason.DataError => "data-error",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
