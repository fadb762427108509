namespace QueueLab.Verification;

/// <summary>An id that was output more than once.</summary>
/// <param name="Id">The id.</param>
/// <param name="Count">How many times it was output in total (2 or more).</param>
/// <param name="FirstOutputIndex">Zero-based position of its first occurrence in the output.</param>
public sealed record DuplicateEntry<T>(T Id, int Count, int FirstOutputIndex)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} x{Count}";
}
