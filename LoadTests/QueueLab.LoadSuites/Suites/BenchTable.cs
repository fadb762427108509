using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Ordering;

namespace QueueLab.LoadSuites.Suites;

/// <summary>
/// One table for a whole <c>./queuelab bench</c>: each suite's run (read back from its report folder: <c>summary.csv</c>
/// and the figures of <c>report.md</c>) beside its raw baseline or ideal, the seed's own implementation measured on a
/// machine of this kind (<c>shared/design/ANCHORS.md</c>), the target, and the CPU each service used. The suites stay the
/// source of every number; this only puts them side by side.
/// </summary>
public static partial class BenchTable
{
    /// <summary>The seed's implementation on the same kind of machine (2 cores), where it has a comparable figure.</summary>
    public static readonly IReadOnlyDictionary<string, string> Seed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ordered-burst"] = "3.68 s for 500 x 500 ms on 3 x 25 (ideal 3.5 s, efficiency 0.95); 3.92 s side by side",
        ["ordered-overhead"] = "1,136-1,970 msg/s (5,000 x 0 ms, 2 sequencers), duplicates and reordering in 5 of 8 runs; 2,840 msg/s with 1 sequencer",
        ["rabbit-burst"] = "none (its RabbitMQ + etcd system was read, not run)",
    };

    /// <summary>The issue's target per suite (what <c>--targets</c> checks, or the bound a soak must keep).</summary>
    public static readonly IReadOnlyDictionary<string, string> Target = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ordered-burst"] = "efficiency >= 0.95",
        ["ordered-overhead"] = ">= 10,000 msg/s; >= 0.25 of raw",
        ["rabbit-burst"] = ">= 0.5 of raw",
        ["ordered-soak"] = "bounded backlog",
        ["rabbit-soak"] = "bounded backlog",
        ["idle"] = "services <= 15% of one core",
    };

    public sealed record Run(string Folder, string Suite, IReadOnlyDictionary<string, string> Summary, IReadOnlyDictionary<string, string> Figures);

    /// <summary>The arguments of <c>summarize</c>: run folders, <c>--out FILE</c> and <c>--command TEXT</c> (what made them).</summary>
    public static (IReadOnlyList<string> Folders, string? Output, string Command) ParseArguments(IReadOnlyList<string> arguments)
    {
        var folders = new List<string>();
        string? output = null;
        var command = "./queuelab bench";
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--out" when i + 1 < arguments.Count:
                    output = arguments[++i];
                    break;
                case "--command" when i + 1 < arguments.Count:
                    command = arguments[++i];
                    break;
                default:
                    folders.Add(arguments[i]);
                    break;
            }
        }

        return (folders, output, command);
    }

    /// <summary>Reads the runs in these report folders (named <c>yyyyMMdd-HHmmss-suite</c>, as the suites write them).</summary>
    public static IReadOnlyList<Run> Read(IEnumerable<string> folders) =>
        [.. folders.Where(Directory.Exists).OrderBy(f => Path.GetFileName(Path.TrimEndingDirectorySeparator(f)), StringComparer.Ordinal).Select(ReadOne)];

    private static Run ReadOne(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var suite = name.Length > 16 && name[8] == '-' && name[15] == '-' ? name[16..] : name;
        var summary = new Dictionary<string, string>(StringComparer.Ordinal);
        var csv = Path.Combine(folder, "summary.csv");
        if (File.Exists(csv))
        {
            foreach (var line in File.ReadLines(csv).Skip(1))
            {
                var comma = line.LastIndexOf(',');
                if (comma > 0)
                {
                    summary[line[..comma]] = line[(comma + 1)..];
                }
            }
        }

        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        var markdown = Path.Combine(folder, "report.md");
        if (File.Exists(markdown))
        {
            foreach (var line in File.ReadLines(markdown))
            {
                var cells = line.Split('|', StringSplitOptions.TrimEntries);
                if (cells.Length == 4 && cells[0].Length == 0 && cells[3].Length == 0 && cells[1].Length > 0 && !cells[1].StartsWith("---", StringComparison.Ordinal))
                {
                    figures.TryAdd(cells[1], cells[2]);
                }
            }
        }

        return new Run(folder, suite, summary, figures);
    }

    /// <summary>The table, in Markdown, with how it was made.</summary>
    public static string Render(IReadOnlyList<Run> runs, string command)
    {
        var text = new StringBuilder();
        text.AppendLine("# QueueLab benchmarks, one table");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Made by `{command}` on {Environment.ProcessorCount} cores. Each suite ran on a lab of its own (Release); every figure is its run's own, verified by the invariant checker. The seed's figures are from `shared/design/ANCHORS.md` (its implementation on a machine of this kind).");
        text.AppendLine();
        text.AppendLine("| suite | settings | QueueLab | raw baseline or ideal (ratio) | latency p50 / p99 | the seed's implementation | target | verified | CPU per message | CPU during the run | load average |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Suite} | {Settings(run)} | {Headline(run)} | {Baseline(run)} | {Latency(run)} | {Seed.GetValueOrDefault(run.Suite, "none")} | {Target.GetValueOrDefault(run.Suite, "")} | {Verified(run)} | {CpuPerMessage(run)} | {Cell(run.Figures, "CPU during the run")} | {Cell(run.Figures, "machine load average (1 min), before -> after")} |");
        }

        text.AppendLine();
        text.AppendLine("Each suite's own report (plots, every figure, the thresholds): " + string.Join(", ", runs.Select(r => $"`{r.Folder}`")) + ".");
        return text.ToString();
    }

    /// <summary>The run's settings, with the lab settings it was given (<c>--set</c>: a Redis Cluster, a topology) and its
    /// kill, so rows that differ only there can be told apart.</summary>
    private static string Settings(Run run)
    {
        var text = Cell(run.Figures, "settings");
        if (Cell(run.Figures, "lab settings (--set)") is { Length: > 0 } set)
        {
            text += $"; {set}";
        }

        return Cell(run.Figures, "kill") is { Length: > 0 } kill ? $"{text}; {kill.Split(':')[0]}" : text;
    }

    private static string Headline(Run run)
    {
        var headline = HeadlineFigure(run);
        return Number(run, OrderedRunResult.LongestGapMetric) is { } gap
            ? $"{headline}; longest output gap after the kill **{gap:#,0} ms**" + (Number(run, OrderedRunResult.LockMovedMetric) is { } moved ? $" (lock moved in {moved:#,0} ms)" : "")
            : headline;
    }

    private static string HeadlineFigure(Run run)
    {
        if (Number(run, "efficiency") is { } efficiency && Number(run, "measured_s") is { } measured)
        {
            return $"{measured:0.00} s, efficiency **{efficiency:0.000}**";
        }

        if (Number(run, "e2e_throughput") is { } throughput)
        {
            return $"**{throughput:#,0} msg/s**";
        }

        if (Number(run, "services_percent_of_core") is { } idle)
        {
            return $"services **{idle:0.0}%** of one core";
        }

        return Number(run, "throughput") is { } rate ? $"{rate:#,0} msg/s" : "";
    }

    private static string Baseline(Run run)
    {
        if (Number(run, "ideal_s") is { } ideal)
        {
            return $"ideal {ideal:0.00} s";
        }

        return Number(run, "baseline_throughput") is { } baseline
            ? $"{baseline:#,0} msg/s" + (Number(run, "ratio_vs_baseline") is { } ratio ? $" ({ratio:0.000})" : "")
            : "";
    }

    // The idle suite has no messages: its run's latencies are its probes', not the pipelines'.
    private static string Latency(Run run) =>
        !run.Summary.ContainsKey("services_percent_of_core") && Number(run, "latency_p50_ms") is { } p50 && Number(run, "latency_p99_ms") is { } p99
            ? $"{p50:0.0} / {p99:0.0} ms" : "";

    /// <summary>Each service's CPU from the run's CPU figure ("consumer 1.93 s, messaging 0.87 s, ...; together ...")
    /// divided by the messages the run completed, in microseconds (none for the idle suite, which sends no messages).</summary>
    private static string CpuPerMessage(Run run)
    {
        if (run.Summary.ContainsKey("services_percent_of_core") || Number(run, "ok") is not { } messages || messages <= 0
            || !run.Figures.TryGetValue("CPU during the run", out var cpu))
        {
            return "";
        }

        var perService = ServiceSeconds().Matches(cpu.Split(';')[0])
            .Select(m => $"{m.Groups[1].Value.Trim()} {double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 1e6 / messages:#,0} µs");
        var cell = string.Join(", ", perService);
        if (Number(run, OrderedOverheadSuite.RedisMainThreadMetric) is { } redis && Number(run, OrderedOverheadSuite.RedisCapRatioMetric) is { } cap)
        {
            cell += $"; Redis main thread {redis:0.0} µs, which alone caps the ratio at {cap:0.000}";
        }

        return Number(run, CpuBudget.BaselineMetric) is { } baseline && Number(run, CpuBudget.PredictedMetric) is { } predicted
               && Number(run, CpuBudget.ServicesFreeMetric) is { } servicesFree
            ? $"{cell}; raw baseline {baseline:#,0} µs; the CPU predicts a ratio of {predicted:0.000}, {servicesFree:0.000} if the services cost nothing"
            : cell;
    }

    [GeneratedRegex(@"([A-Za-z][\w ()-]*?) (\d+(?:\.\d+)?) s(?:,|$)")]
    private static partial Regex ServiceSeconds();

    private static string Verified(Run run) => run.Summary.GetValueOrDefault("passed") switch
    {
        "1" => "passed",
        "0" => "**failed**",
        _ => "no result",
    };

    private static string Cell(IReadOnlyDictionary<string, string> figures, string name) => figures.GetValueOrDefault(name, "").Replace("|", "/", StringComparison.Ordinal);

    private static double? Number(Run run, string key) =>
        run.Summary.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
