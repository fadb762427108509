namespace QueueLab.Lab.Measures;

/// <summary>How the output of a pipeline went through a fault.</summary>
/// <param name="LongestStall">The longest time without any output after the fault (from the fault to the first output
/// after it counts): for a failover, the time until output flows again.</param>
/// <param name="ThroughputBack">From the fault until the output from which every window holds at least
/// <see cref="Recovery.NormalShare"/> of the rate before the fault; null if the last full window still did not.</param>
/// <param name="RateBefore">Outputs per second in the window before the fault.</param>
/// <param name="OutputsAfter">Outputs at or after the fault.</param>
public sealed record RecoveryStats(TimeSpan LongestStall, TimeSpan? ThroughputBack, double RateBefore, int OutputsAfter)
{
    public string Describe() =>
        $"longest output stall {LongestStall.TotalMilliseconds:0} ms, throughput back to normal after " +
        (ThroughputBack is { } back ? $"{back.TotalMilliseconds:0} ms" : "never") + $" (normal {RateBefore:0.#}/s)";
}

/// <summary>Recovery measured from the times at which outputs appeared (pure logic; the chaos suites feed it).</summary>
public static class Recovery
{
    /// <summary>The share of the pre-fault rate a window must reach for the throughput to count as back to normal.</summary>
    public const double NormalShare = 0.9;

    /// <summary>Measures the stall and the throughput recovery after <paramref name="faultAt"/>.</summary>
    /// <param name="outputs">When each output appeared (any order).</param>
    /// <param name="faultAt">When the fault was injected.</param>
    /// <param name="window">The window rates are measured over (1 s is a good default).</param>
    /// <param name="expectedRate">The rate to count as normal when there is too little output before the fault to
    /// measure one (a fault early in a run); outputs per second.</param>
    /// <param name="outputsEnd">When the output stopped being watched (the run's end), or the next fault of a schedule:
    /// only outputs before it count, and a stall runs up to it when no output came after the fault at all.</param>
    /// <param name="loadEnd">When the load stopped arriving: windows after it thin out as the pipeline drains, so only
    /// windows that end by then judge the throughput.</param>
    public static RecoveryStats Analyze(
        IEnumerable<DateTimeOffset> outputs, DateTimeOffset faultAt, TimeSpan window, double expectedRate, DateTimeOffset? outputsEnd = null,
        DateTimeOffset? loadEnd = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var times = outputs.Order().ToList();
        var before = times.Count(t => t >= faultAt - window && t < faultAt);
        var rateBefore = before > 0 && times[0] <= faultAt - window ? before / window.TotalSeconds : expectedRate;

        var after = times.Where(t => t >= faultAt && (outputsEnd is not { } until || t <= until)).ToList();
        var stall = TimeSpan.Zero;
        var previous = faultAt;
        foreach (var t in after)
        {
            stall = Max(stall, t - previous);
            previous = t;
        }

        if (after.Count == 0 && outputsEnd is { } end && end > faultAt)
        {
            stall = end - faultAt;
        }

        // Back to normal at the first output from which every full window [t, t + window) up to the end of the output
        // holds a normal share of the rate before the fault (a dip later on, say a second fault, moves it later).
        TimeSpan? back = null;
        var needed = Math.Max(1, (int)Math.Ceiling(NormalShare * rateBefore * window.TotalSeconds));
        var last = after.Count > 0 ? after[^1] : faultAt;
        if (loadEnd is { } stopped && stopped < last)
        {
            last = stopped;
        }

        for (int i = after.Count - 1, j = after.Count; i >= 0; i--)
        {
            if (after[i] + window > last)
            {
                continue; // not a full window before the output ends
            }

            while (j > i && after[j - 1] >= after[i] + window)
            {
                j--;
            }

            if (j - i < needed)
            {
                break;
            }

            back = after[i] - faultAt;
        }

        if (back is null && after.Count > 0 && after[0] + window > last)
        {
            // Too little output after the fault for a full window: it came back with the first output, if at all.
            back = after[0] - faultAt;
        }

        return new RecoveryStats(stall, back, rateBefore, after.Count);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a >= b ? a : b;
}
