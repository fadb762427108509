using System.Globalization;
using System.Text;

namespace QueueLab.ChaosTests.Long;

/// <summary>
/// The long profile's figures for one pipeline: iterations, faults per kind (applied or not), schedules per shape,
/// invariant violations (must be 0), bad messages mixed in and dead-lettered, and the longest output stall per fault kind
/// (p50, p99, max) over the iterations where it was applied. Rendered as the Markdown table docs/chaos.md quotes.
/// </summary>
public sealed class LongProfileReport(string pipeline, int seed, string replay)
{
    private readonly List<FaultOutcome> _faults = [];
    private readonly List<string> _violations = [];
    private readonly Dictionary<string, int> _shapes = new(StringComparer.Ordinal);
    private int _iterations;
    private long _badIn;
    private long _badDeadLettered;

    public IReadOnlyList<string> Violations => _violations;

    public void Add(CompoundSchedule schedule, IEnumerable<FaultOutcome> faults, IEnumerable<string> violations, int badIn, int badDeadLettered)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _iterations++;
        _shapes[schedule.Shape] = _shapes.GetValueOrDefault(schedule.Shape) + 1;
        _faults.AddRange(faults);
        _violations.AddRange(violations.Select(v => $"iteration {_iterations} ({schedule}): {v}"));
        _badIn += badIn;
        _badDeadLettered += badDeadLettered;
    }

    public string Render()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"### Long profile, {pipeline}: seed {seed}, {_iterations} iterations");
        text.AppendLine();
        text.AppendLine(c, $"Replay: `{replay}`. Schedules: {string.Join(", ", _shapes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}. " +
            $"Invariant violations: **{_violations.Count}**. Bad messages mixed into the load: {_badIn}, dead-lettered once each with their reason: {_badDeadLettered}.");
        text.AppendLine();
        text.AppendLine("| fault | applied | not applied | stall p50 | stall p99 | stall max |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var kind in _faults.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var stalls = kind.Where(f => f.Applied && f.Recovery is not null).Select(f => f.Recovery!.LongestStall.TotalMilliseconds).Order().ToList();
            text.AppendLine(c, $"| {kind.Key} | {kind.Count(f => f.Applied)} | {kind.Count(f => !f.Applied)} | {Percentile(stalls, 0.5)} | {Percentile(stalls, 0.99)} | {Percentile(stalls, 1)} |");
        }

        foreach (var violation in _violations.Take(20))
        {
            text.AppendLine(c, $"- {violation}");
        }

        return text.ToString();
    }

    private static string Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)]:0} ms");
}
