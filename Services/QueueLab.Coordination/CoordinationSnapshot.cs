using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>Everything the leader allocates from, read at one etcd revision.</summary>
public sealed record CoordinationSnapshot(
    long Revision,
    IReadOnlyList<QueueDefinition> Queues,
    IReadOnlyList<string> Consumers,
    IReadOnlyDictionary<string, AssignmentDocument> Assignments,
    IReadOnlyDictionary<string, AppliedDocument> Applied,
    long Generation,
    IReadOnlyList<string> Problems);
