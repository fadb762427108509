using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>The etcd document of a queue, <c>{root}queues/{name}</c>: <c>{ "priority", "updatedAt", "binding" }</c>.</summary>
public sealed record QueueDocument(int Priority, long UpdatedAt, QueueBinding Binding)
{
    public QueueDefinition ToDefinition(string name) => new(name, Priority, Binding, UpdatedAt);

    public static QueueDocument From(QueueDefinition queue) => new(queue.Priority, queue.UpdatedAt, queue.Binding);
}
