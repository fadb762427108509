namespace QueueLab.LoadRunner;

/// <summary>The outcome of one threshold.</summary>
/// <param name="Description">The threshold's readable condition.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Actual">The measured value, readable (e.g. "1.84s", "0", "not reported").</param>
public sealed record ThresholdResult(string Description, bool Passed, string Actual);
