namespace QueueLab.Verification;

/// <summary>The counts of a verification.</summary>
/// <param name="Expected">Ids in the input, including those expected to be skipped.</param>
/// <param name="ExpectedSkipped">Input ids expected not to come out (skipped or dead-lettered).</param>
/// <param name="Observed">Entries in the output, duplicates and unexpected ids included.</param>
/// <param name="Delivered">Distinct input ids (not skipped) that came out at least once.</param>
/// <param name="Lost">Input ids (not skipped) that never came out.</param>
/// <param name="Duplicated">Distinct input ids that came out more than once.</param>
/// <param name="ExtraDeliveries">Copies beyond the first, summed over the duplicated ids.</param>
/// <param name="Reordered">Elements out of place (ordered mode only).</param>
/// <param name="OrderBreaks">Places where a delivered id follows one that belongs after it (ordered mode only).</param>
/// <param name="Unexpected">Distinct ids that came out but were never input.</param>
/// <param name="SkippedButDelivered">Ids expected to be skipped that came out anyway.</param>
public sealed record VerificationSummary(
    int Expected,
    int ExpectedSkipped,
    int Observed,
    int Delivered,
    int Lost,
    int Duplicated,
    int ExtraDeliveries,
    int Reordered,
    int OrderBreaks,
    int Unexpected,
    int SkippedButDelivered);
