namespace QueueLab.Ordering.Redis;

/// <summary>What one reap did: messages returned to the input, processors unregistered, messages quarantined.</summary>
public sealed record ReapResult(long Messages, long Processors, long Quarantined = 0);
