namespace QueueLab.LoadRunner;

/// <summary>The outcome of one scenario invocation: ok, or a failure with a reason that groups it in the report.</summary>
/// <param name="IsOk">Whether the invocation succeeded.</param>
/// <param name="FailureReason">Why it failed; <c>null</c> when <paramref name="IsOk"/> is true.</param>
public readonly record struct StepResult(bool IsOk, string? FailureReason)
{
    /// <summary>A successful invocation.</summary>
    public static StepResult Ok() => new(true, null);

    /// <summary>A failed invocation, counted under <paramref name="reason"/> (keep reasons low-cardinality, e.g. "timeout", "http 503").</summary>
    public static StepResult Fail(string reason) =>
        new(false, string.IsNullOrWhiteSpace(reason) ? "unspecified" : reason);

    /// <summary>A completed <see cref="ValueTask{TResult}"/> of <see cref="Ok"/>, for synchronous scenarios.</summary>
    public static ValueTask<StepResult> OkTask() => ValueTask.FromResult(Ok());
}
