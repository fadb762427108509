namespace QueueLab.LoadRunner;

/// <summary>A simple <see cref="IInvariantReport"/>.</summary>
/// <param name="Passed">Whether every invariant held.</param>
/// <param name="Counts">Named counts (e.g. "lost", "duplicated", "reordered").</param>
/// <param name="Text">A readable account.</param>
public sealed record VerificationResult(bool Passed, IReadOnlyDictionary<string, long> Counts, string Text) : IInvariantReport
{
    /// <summary>A result whose pass flag is "every count is zero".</summary>
    public static VerificationResult FromCounts(IReadOnlyDictionary<string, long> counts, string text = "")
    {
        ArgumentNullException.ThrowIfNull(counts);
        return new VerificationResult(counts.Values.All(v => v == 0), counts, text);
    }

    /// <summary>A failed result for a checker that could not run.</summary>
    public static VerificationResult Error(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new VerificationResult(false, new Dictionary<string, long>(), $"verification failed to run: {exception.GetType().Name}: {exception.Message}");
    }
}
