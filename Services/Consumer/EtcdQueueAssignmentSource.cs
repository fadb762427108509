using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using QueueLab.Coordination;
using QueueLab.Rabbit;

namespace QueueLab.Consumer;

/// <summary>
/// Phase 3: this consumer registers in etcd under a lease (for as long as the assignment is watched) and consumes
/// what the coordinator assigned it, with the bindings from the etcd queue configuration. Each assignment is
/// acknowledged (<c>/queuelab/applied/{id}</c>) once the <see cref="QueueManager"/> has applied it: the manager asks
/// for the next assignment only after applying the previous one.
/// </summary>
public sealed class EtcdQueueAssignmentSource(ConsumerRegistrar registrar, AssignmentWatcher watcher, IOptions<ConsumerOptions> options)
    : IQueueAssignmentSource
{
    public async IAsyncEnumerable<IReadOnlyList<QueueDefinition>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var consumerId = options.Value.ConsumerId;
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var registration = registrar.RunAsync(consumerId, watching.Token);
        try
        {
            await foreach (var assignment in watcher.WatchAsync(consumerId, watching.Token))
            {
                yield return assignment.Queues;
                await watcher.AcknowledgeAsync(assignment, watching.Token);
            }
        }
        finally
        {
            await watching.CancelAsync();
            await registration.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
