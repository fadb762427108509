namespace QueueLab.Verification;

/// <summary>An id that was output but never part of the input.</summary>
/// <param name="Id">The id.</param>
/// <param name="Count">How many times it was output.</param>
/// <param name="FirstOutputIndex">Zero-based position of its first occurrence in the output.</param>
public sealed record UnexpectedEntry<T>(T Id, int Count, int FirstOutputIndex)
{
    /// <inheritdoc />
    public override string ToString() =>
        Count == 1 ? $"{Id} (output #{FirstOutputIndex})" : $"{Id} x{Count} (first at output #{FirstOutputIndex})";
}
