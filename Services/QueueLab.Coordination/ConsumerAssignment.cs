using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>
/// What one consumer should consume: the queues of its assignment with their current configuration (bindings),
/// and the generation of the rebalance that assigned them. Assigned queues with no valid configuration are listed
/// in <see cref="Unconfigured"/> and left out of <see cref="Queues"/>.
/// </summary>
public sealed record ConsumerAssignment(string ConsumerId, long Generation, IReadOnlyList<QueueDefinition> Queues, IReadOnlyList<string> Unconfigured)
{
    /// <summary>True when both name the same generation and the same queues with the same bindings.</summary>
    public bool SameAs(ConsumerAssignment? other) =>
        other is not null
        && other.Generation == Generation
        && other.Queues.Count == Queues.Count
        && other.Queues.Zip(Queues).All(p => p.First.Name == p.Second.Name && p.First.Binding == p.Second.Binding);
}
