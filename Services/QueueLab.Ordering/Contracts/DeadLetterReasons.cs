namespace QueueLab.Ordering.Contracts;

/// <summary>
/// The machine-readable reasons of a dead-letter entry. The README's input contract lists each with what it means and
/// whether the entry's seq is recorded as skipped.
/// </summary>
public static class DeadLetterReasons
{
    /// <summary>The raw message is over <c>MaxMessageBytes</c>; it is not decoded at all (its seq, if any, is not read).</summary>
    public const string MessageTooLarge = "message-too-large";

    /// <summary>The bytes are not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    /// <summary>Not one strict JSON object (RFC 8259: no NaN, hex, leading zeros, raw control characters, trailing data,
    /// duplicate keys, or nesting deeper than <see cref="Parsing.MessageParser.MaxDepth"/>).</summary>
    public const string InvalidJson = "invalid-json";

    /// <summary>Per-key mode: the message has no <c>key</c> (nothing is claimed or skipped: without its key the seq is no one's).</summary>
    public const string MissingKey = "missing-key";

    /// <summary>Per-key mode: <c>key</c> is not a string of 1 to 256 UTF-8 bytes of Unicode text without U+0000.</summary>
    public const string InvalidKey = "invalid-key";

    public const string MissingSeq = "missing-seq";

    /// <summary><c>seq</c> is not an integer literal in 1 .. 2^53 - 1.</summary>
    public const string InvalidSeq = "invalid-seq";

    public const string MissingPayload = "missing-payload";

    /// <summary><c>payload</c> is not a string, holds an escaped lone surrogate, or holds U+0000.</summary>
    public const string InvalidPayload = "invalid-payload";

    public const string PayloadTooLarge = "payload-too-large";

    /// <summary><c>createdAt</c> is present and not an ISO-8601 date-time string.</summary>
    public const string InvalidCreatedAt = "invalid-created-at";

    /// <summary>Another message owns this seq: a different body claimed it first, the seq was already passed, or an
    /// identical copy was already processed or skipped.</summary>
    public const string DuplicateSeq = "duplicate-seq";

    /// <summary>The seq belongs to another partition (seq mod P; per key, the key's partition, CRC16(key) mod P) than the
    /// input the message was pushed to; its seq is not skipped (it is not this partition's to pass). Push it again to the
    /// input the entry's detail names.</summary>
    public const string WrongPartition = "wrong-partition";

    /// <summary>The work failed on every attempt (<c>MaxRetries</c> retries).</summary>
    public const string ProcessingFailed = "processing-failed";

    /// <summary>The system of record refused the result with a data error that retrying cannot heal.</summary>
    public const string RecordRejected = "record-rejected";

    /// <summary>Handling the message threw an unexpected exception <c>MaxHandlerFailures</c> times.</summary>
    public const string HandlerFailed = "handler-failed";

    /// <summary>The message was reclaimed from dead processors <c>MaxReclaims</c> times (it may be what kills them).</summary>
    public const string ReclaimedTooOften = "reclaimed-too-often";

    /// <summary>Every reason, for tests and documentation.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MessageTooLarge, InvalidUtf8, InvalidJson, MissingKey, InvalidKey, MissingSeq, InvalidSeq, MissingPayload, InvalidPayload, PayloadTooLarge,
        InvalidCreatedAt, DuplicateSeq, WrongPartition, ProcessingFailed, RecordRejected, HandlerFailed, ReclaimedTooOften,
    ];
}
