namespace QueueLab.Ordering.Redis;

/// <summary>How many messages a reap returned to the input, from how many processors.</summary>
public sealed record ReapResult(long Messages, long Processors);
