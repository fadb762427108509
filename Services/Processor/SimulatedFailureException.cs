namespace QueueLab.Processor;

/// <summary>An attempt of the simulated work failed on purpose (<c>FailureRate</c>).</summary>
public sealed class SimulatedFailureException(long seq, int attempt)
    : Exception($"Simulated failure of seq {seq}, attempt {attempt}.");
