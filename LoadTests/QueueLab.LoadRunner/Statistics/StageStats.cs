namespace QueueLab.LoadRunner;

/// <summary>The distribution of one named stage measurement.</summary>
/// <param name="Name">The stage's name, e.g. "processing".</param>
/// <param name="Latency">Its distribution.</param>
public sealed record StageStats(string Name, LatencyStats Latency);
