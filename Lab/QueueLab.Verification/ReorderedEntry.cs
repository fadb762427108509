namespace QueueLab.Verification;

/// <summary>
/// An element out of place: the reordered elements of a report are the fewest whose removal leaves the rest of the
/// output in input order (the complement of a longest increasing subsequence), so one late element is reported
/// once, not as every element after it.
/// </summary>
/// <param name="Id">The id.</param>
/// <param name="ExpectedIndex">Zero-based position in the expected input list.</param>
/// <param name="OutputIndex">Zero-based position of its first occurrence in the raw output.</param>
/// <param name="Displacement">
/// Its place among the delivered ids in output order minus its place among them in input order: positive when it
/// came late (that many delivered ids that belong after it came before it), negative when early.
/// </param>
public sealed record ReorderedEntry<T>(T Id, int ExpectedIndex, int OutputIndex, int Displacement)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Id} (input #{ExpectedIndex}, output #{OutputIndex}, " +
        (Displacement >= 0 ? $"{Displacement} late)" : $"{-Displacement} early)");
}
