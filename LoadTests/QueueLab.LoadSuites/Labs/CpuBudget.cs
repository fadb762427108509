using System.Globalization;
using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// A pipeline's CPU per message against its raw baseline's, both measured in the same run on the same servers (every
/// process of each side, the runner included): where a ratio target is missed, this says whether CPU is what holds it
/// back and which part. On a machine whose cores both runs keep busy, the throughputs stand in the inverse ratio of their
/// CPU per message; <see cref="PredictedRatio"/> is that ratio, and <see cref="RatioWithServicesFree"/> the one the same
/// rule gives if QueueLab's own services cost nothing (the servers and the runner left): a target above it cannot be
/// met while the servers spend what they do now per message (what the services ask of them can change that).
/// </summary>
public sealed record CpuBudget(
    IReadOnlyList<(string Part, double Micros)> Pipeline,
    IReadOnlyList<(string Part, double Micros)> Baseline,
    IReadOnlyCollection<string> Services)
{
    public const string PipelineMetric = "cpu_us_per_message";
    public const string BaselineMetric = "baseline_cpu_us_per_message";
    public const string PredictedMetric = "cpu_predicted_ratio";
    public const string ServicesFreeMetric = "cpu_ratio_services_free";

    public double PipelineMicros => Pipeline.Sum(p => p.Micros);

    public double BaselineMicros => Baseline.Sum(p => p.Micros);

    public double PredictedRatio => PipelineMicros > 0 ? BaselineMicros / PipelineMicros : 0;

    public double RatioWithServicesFree =>
        Pipeline.Where(p => !Services.Contains(p.Part)).Sum(p => p.Micros) is > 0 and var rest ? BaselineMicros / rest : 0;

    /// <summary>The budget of two profiles (null when either run completed no message, or when a profile saw nothing but the
    /// runner: a lab this runner did not start, whose processes it cannot see).</summary>
    public static CpuBudget? Of(
        CpuUsage pipeline, long pipelineMessages,
        CpuUsage baseline, long baselineMessages,
        params string[] services) =>
        pipelineMessages <= 0 || baselineMessages <= 0 || !SeesTheLab(pipeline.Usage) || !SeesTheLab(baseline.Usage)
            ? null
            : new CpuBudget(PerMessage(pipeline.Usage, pipelineMessages), PerMessage(baseline.Usage, baselineMessages), services);

    private static bool SeesTheLab(IReadOnlyList<(string Resource, double CpuSeconds)> usage) =>
        usage.Any(u => u.Resource != CpuProfile.Runner && u.CpuSeconds > 0);

    private static List<(string, double)> PerMessage(IReadOnlyList<(string Resource, double CpuSeconds)> usage, long messages) =>
        [.. usage.Where(u => u.CpuSeconds > 0).Select(u => (u.Resource, u.CpuSeconds * 1e6 / messages))];

    public RunResult AddTo(RunResult result) => result
        .WithMetric(PipelineMetric, Math.Round(PipelineMicros, 1))
        .WithMetric(BaselineMetric, Math.Round(BaselineMicros, 1))
        .WithMetric(PredictedMetric, Math.Round(PredictedRatio, 4))
        .WithMetric(ServicesFreeMetric, Math.Round(RatioWithServicesFree, 4));

    /// <summary>"pipeline 340 µs per message (consumer 137, ...), raw baseline 90 µs (...); the CPU predicts a ratio of
    /// 0.26 (measured 0.29), 0.45 if the consumer cost nothing".</summary>
    public string Describe(double measuredRatio) => string.Create(CultureInfo.InvariantCulture,
        $"pipeline {PipelineMicros:#,0} µs per message ({Parts(Pipeline)}), raw baseline {BaselineMicros:#,0} µs ({Parts(Baseline)}); " +
        $"CPU alone predicts a ratio of {PredictedRatio:0.000} (measured {measuredRatio:0.000}), " +
        $"and {RatioWithServicesFree:0.000} if {string.Join(" and ", Services)} cost nothing");

    private static string Parts(IEnumerable<(string Part, double Micros)> parts) =>
        string.Join(", ", parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Part} {p.Micros:#,0}")));
}
