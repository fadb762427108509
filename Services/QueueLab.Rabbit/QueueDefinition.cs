namespace QueueLab.Rabbit;

/// <summary>
/// A queue of pipeline A and its binding. The same record backs the static configuration (phases 1 and 2) and the
/// etcd document <c>/queuelab/queues/{name}</c> (phase 3: <c>{ priority, updatedAt, binding }</c>).
/// </summary>
public sealed record QueueDefinition(string Name, int Priority, QueueBinding Binding, long UpdatedAt = 0);
