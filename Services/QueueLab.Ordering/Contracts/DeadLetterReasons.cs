namespace QueueLab.Ordering.Contracts;

/// <summary>The machine-readable reasons of a dead-letter entry.</summary>
public static class DeadLetterReasons
{
    public const string InvalidJson = "invalid-json";
    public const string MissingSeq = "missing-seq";
    public const string InvalidSeq = "invalid-seq";
    public const string MissingPayload = "missing-payload";
    public const string PayloadTooLarge = "payload-too-large";
    public const string DuplicateSeq = "duplicate-seq";
    public const string ProcessingFailed = "processing-failed";
}
