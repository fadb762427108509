namespace QueueLab.LoadRunner;

/// <summary>The files of one run's report.</summary>
/// <param name="Directory">The run's report folder.</param>
/// <param name="Markdown">report.md: summary, thresholds, percentiles, stages, failures, verification.</param>
/// <param name="Html">report.html: the same, self-contained, with the plots embedded as PNGs.</param>
/// <param name="SummaryCsv">summary.csv: metric,value rows.</param>
/// <param name="TimeSeriesCsv">timeseries.csv: one row per reporting interval.</param>
/// <param name="StagesCsv">stages.csv: one row per stage measurement.</param>
/// <param name="MainPlotPng">latency.png: latency percentiles and throughput over time.</param>
public sealed record RunReport(
    string Directory,
    string Markdown,
    string Html,
    string SummaryCsv,
    string TimeSeriesCsv,
    string StagesCsv,
    string MainPlotPng);
