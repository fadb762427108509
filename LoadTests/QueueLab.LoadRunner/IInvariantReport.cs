namespace QueueLab.LoadRunner;

/// <summary>
/// An end-to-end verification result a suite attaches to a run (for example from the invariant checker: lost, duplicated,
/// reordered and unexpected message counts). The runner only reports it and folds it into the run's pass/fail.
/// </summary>
public interface IInvariantReport
{
    /// <summary>Whether every invariant held.</summary>
    bool Passed { get; }

    /// <summary>Named counts (e.g. "lost", "duplicated", "reordered"); they also become metrics thresholds can check.</summary>
    IReadOnlyDictionary<string, long> Counts { get; }

    /// <summary>A readable account (which ids were lost, ...), shown in the reports.</summary>
    string Text { get; }
}
