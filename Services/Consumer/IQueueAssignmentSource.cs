using QueueLab.Rabbit;

namespace QueueLab.Consumer;

/// <summary>
/// Where this consumer's queue list comes from. Yields the full set of queues it should consume whenever that set
/// changes; the <see cref="QueueManager"/> starts and stops consuming to match. Phases 1 and 2 use
/// <see cref="StaticQueueAssignmentSource"/> (configuration); phase 3 plugs in an etcd-driven one.
/// </summary>
public interface IQueueAssignmentSource
{
    IAsyncEnumerable<IReadOnlyList<QueueDefinition>> WatchAsync(CancellationToken cancellationToken);
}
