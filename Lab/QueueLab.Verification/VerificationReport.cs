using System.Collections.Immutable;

namespace QueueLab.Verification;

/// <summary>
/// What an output did against its expected input: every violation listed by id, the counts, and whether it passed.
/// <see cref="ToString"/> renders it for test failure messages and logs.
/// </summary>
/// <param name="Options">How the output was judged.</param>
/// <param name="Summary">The counts.</param>
/// <param name="Lost">Input ids (not skipped) never output, in input order.</param>
/// <param name="Duplicated">Input ids output more than once, in input order.</param>
/// <param name="Reordered">Elements out of place, in output order (ordered mode only).</param>
/// <param name="Unexpected">Ids output but never input, in order of first appearance.</param>
/// <param name="SkippedButDelivered">Ids expected to be skipped that were output, in input order.</param>
public sealed record VerificationReport<T>(
    VerificationOptions Options,
    VerificationSummary Summary,
    ImmutableArray<T> Lost,
    ImmutableArray<DuplicateEntry<T>> Duplicated,
    ImmutableArray<ReorderedEntry<T>> Reordered,
    ImmutableArray<UnexpectedEntry<T>> Unexpected,
    ImmutableArray<T> SkippedButDelivered)
{
    /// <summary>
    /// The output is exactly the expected one: nothing lost, duplicated, unexpected or wrongly delivered, and in
    /// ordered mode nothing out of order.
    /// </summary>
    public bool IsExact => Duplicated.IsEmpty && HasNoViolationBesidesDuplicates;

    /// <summary>Exact, or exact apart from duplicates when <see cref="VerificationOptions.AllowDuplicates"/> is set.</summary>
    public bool Passed => HasNoViolationBesidesDuplicates && (Duplicated.IsEmpty || Options.AllowDuplicates);

    private bool HasNoViolationBesidesDuplicates =>
        Lost.IsEmpty && Reordered.IsEmpty && Unexpected.IsEmpty && SkippedButDelivered.IsEmpty;

    /// <summary>A readable report; each list shows at most <paramref name="maxItems"/> ids, then "... and N more".</summary>
    public string Render(int maxItems = 20) => ReportRenderer.Render(this, maxItems);

    /// <inheritdoc />
    public override string ToString() => Render();
}
