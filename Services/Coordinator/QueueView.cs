using QueueLab.Rabbit;

namespace QueueLab.Coordinator;

/// <summary>A queue as the admin endpoints show it.</summary>
public sealed record QueueView(string Name, int Priority, long UpdatedAt, QueueBinding Binding)
{
    public static QueueView From(QueueDefinition queue) => new(queue.Name, queue.Priority, queue.UpdatedAt, queue.Binding);
}
