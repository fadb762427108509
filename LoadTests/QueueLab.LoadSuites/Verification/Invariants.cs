using QueueLab.LoadRunner;
using QueueLab.Verification;

namespace QueueLab.LoadSuites.Verification;

/// <summary>The invariant checker's report as the runner's verification result (counts become metrics thresholds read).</summary>
public static class Invariants
{
    public const string Lost = "lost";
    public const string Duplicated = "duplicated";
    public const string Reordered = "reordered";
    public const string Unexpected = "unexpected";

    public static VerificationResult ToResult<T>(VerificationReport<T> report, string? context = null)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Summary;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [Lost] = s.Lost,
            [Duplicated] = s.Duplicated,
            [Reordered] = s.Reordered,
            [Unexpected] = s.Unexpected,
        };
        var text = (context is null ? "" : context + "\n") +
                   $"expected {s.Expected}, observed {s.Observed}, delivered {s.Delivered} ({report.Options.Mode}" +
                   (report.Options.AllowDuplicates ? ", duplicates tolerated" : "") + ")\n" + report.Render(20);
        return new VerificationResult(report.Passed, counts, text);
    }

    /// <summary>lost == 0, reordered == 0, unexpected == 0 and (unless tolerated) duplicated == 0.</summary>
    public static IReadOnlyList<Threshold> Thresholds(bool ordered, bool allowDuplicates = false)
    {
        var list = new List<Threshold>
        {
            Threshold.VerificationPassed(),
            Threshold.Metric(Lost, v => v == 0, "lost == 0"),
            Threshold.Metric(Unexpected, v => v == 0, "unexpected == 0"),
        };
        if (!allowDuplicates)
        {
            list.Add(Threshold.Metric(Duplicated, v => v == 0, "duplicated == 0"));
        }

        if (ordered)
        {
            list.Add(Threshold.Metric(Reordered, v => v == 0, "reordered == 0"));
        }

        list.Add(Threshold.NoFailures());
        list.Add(Threshold.NoDropped());
        return list;
    }
}
