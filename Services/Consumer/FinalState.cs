namespace QueueLab.Consumer;

/// <summary>A message's final state for one queue: the row the consumer stores before it acks.</summary>
public sealed record FinalState(string MessageId, string CurrentState, string NextState, string Queue, DateTimeOffset? CreatedAt);
