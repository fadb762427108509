using System.Collections.Concurrent;
using HdrHistogram;

namespace QueueLab.LoadRunner;

/// <summary>
/// Named extra measurements (for example a pipeline's queue wait, processing and sequencing times), each recorded into its
/// own HdrHistogram. Thread-safe. A run creates one (see <see cref="ScenarioContext.Stages"/>), or a suite passes its own in
/// <see cref="RunOptions.Stages"/> so code outside the scenario (a consumer that observes completions) can record too.
/// </summary>
public sealed class StageRecorder
{
    private readonly ConcurrentDictionary<string, LongConcurrentHistogram> _stages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _order = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="value"/> under <paramref name="stage"/> (negative values count as 1 µs).</summary>
    public void Record(string stage, TimeSpan value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        var histogram = _stages.GetOrAdd(stage, name =>
        {
            _order.TryAdd(name, _order.Count);
            return Histograms.CreateConcurrent();
        });
        histogram.RecordValue(Histograms.ToMicroseconds(value));
        LoadRunnerTelemetry.Stage.Record(value.TotalMilliseconds, new KeyValuePair<string, object?>("stage", stage));
    }

    /// <summary>The stage names, in the order they were first recorded.</summary>
    public IReadOnlyList<string> Names => [.. _stages.Keys.OrderBy(n => _order.TryGetValue(n, out var i) ? i : int.MaxValue).ThenBy(n => n, StringComparer.Ordinal)];

    /// <summary>Summaries of every stage, in first-recorded order.</summary>
    public IReadOnlyList<StageStats> Snapshot() =>
        [.. Names.Select(n => new StageStats(n, LatencyStats.From(_stages[n].Copy())))];
}
