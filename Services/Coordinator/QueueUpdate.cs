using QueueLab.Rabbit;

namespace QueueLab.Coordinator;

/// <summary>
/// The body of <c>PUT /queues/{name}</c>: a new priority and/or binding. What is left out keeps its current value
/// (so <c>{ "priority": 3 }</c> is the seed's setQueuePriority); a new queue needs both.
/// </summary>
public sealed record QueueUpdate(int? Priority, QueueBinding? Binding);
