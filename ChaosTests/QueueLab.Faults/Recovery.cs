namespace QueueLab.Faults;

/// <summary>How the output of a pipeline went through a fault.</summary>
/// <param name="LongestStall">The longest time without any output after the fault (from the fault to the first output
/// after it counts): for a failover, the time until output flows again.</param>
/// <param name="ThroughputBack">From the fault until a full window of output reached <see cref="Recovery.NormalShare"/>
/// of the rate before the fault; null if it never did before the output ended.</param>
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
    /// <param name="outputsEnd">When the output stopped being watched (the run's end): a stall runs up to it when no
    /// output came after the fault at all.</param>
    public static RecoveryStats Analyze(
        IEnumerable<DateTimeOffset> outputs, DateTimeOffset faultAt, TimeSpan window, double expectedRate, DateTimeOffset? outputsEnd = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var times = outputs.Order().ToList();
        var before = times.Count(t => t >= faultAt - window && t < faultAt);
        var rateBefore = before > 0 && times[0] <= faultAt - window ? before / window.TotalSeconds : expectedRate;

        var after = times.Where(t => t >= faultAt).ToList();
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

        // The first window [t, t + window) at or after the fault, starting at an output, that holds a normal share.
        TimeSpan? back = null;
        var needed = Math.Max(1, (int)Math.Ceiling(NormalShare * rateBefore * window.TotalSeconds));
        for (int i = 0, j = 0; i < after.Count; i++)
        {
            j = Math.Max(j, i);
            while (j < after.Count && after[j] < after[i] + window)
            {
                j++;
            }

            if (j - i >= needed)
            {
                back = after[i] - faultAt;
                break;
            }
        }

        return new RecoveryStats(stall, back, rateBefore, after.Count);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a >= b ? a : b;
}
