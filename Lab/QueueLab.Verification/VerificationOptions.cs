namespace QueueLab.Verification;

/// <summary>How an output is judged.</summary>
/// <param name="Mode">Ordered (exact input order required) or unordered (each id exactly once, any order).</param>
/// <param name="AllowDuplicates">
/// At-least-once: duplicates are still counted and listed, but do not fail the check (the phase 1 comparison).
/// </param>
public sealed record VerificationOptions(VerificationMode Mode, bool AllowDuplicates = false)
{
    /// <summary>Exact order, exactly once.</summary>
    public static VerificationOptions Ordered { get; } = new(VerificationMode.Ordered);

    /// <summary>Exactly once, each key's ids in input order (<see cref="InvariantChecker.CheckPerKey"/>).</summary>
    public static VerificationOptions OrderedPerKey { get; } = new(VerificationMode.OrderedPerKey);

    /// <summary>Exactly once, any order.</summary>
    public static VerificationOptions ExactlyOnce { get; } = new(VerificationMode.Unordered);

    /// <summary>At least once, any order: duplicates counted but tolerated.</summary>
    public static VerificationOptions AtLeastOnce { get; } = new(VerificationMode.Unordered, AllowDuplicates: true);
}
