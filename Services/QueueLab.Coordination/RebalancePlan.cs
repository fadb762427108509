using System.Globalization;
using Etcdserverpb;
using QueueLab.Allocation;

namespace QueueLab.Coordination;

/// <summary>
/// What a rebalance writes: the new assignment of every consumer whose queues changed (all stamped with the new
/// generation), the removal of assignments and applied records of consumers that are gone, and the generation counter.
/// Empty when the allocation is already in force.
/// </summary>
public sealed record RebalancePlan(
    long Generation,
    AllocationResult Allocation,
    IReadOnlyDictionary<string, AssignmentDocument> Writes,
    IReadOnlyList<string> RemovedConsumers,
    CoordinationKeys Keys)
{
    public bool IsEmpty => Writes.Count == 0 && RemovedConsumers.Count == 0;

    /// <summary>The consumers that must apply this plan's generation.</summary>
    public IReadOnlyCollection<string> ChangedConsumers => [.. Writes.Keys];

    public IEnumerable<RequestOp> Operations()
    {
        foreach (var (consumer, document) in Writes)
        {
            yield return new RequestOp { RequestPut = new PutRequest { Key = CoordinationKeys.Bytes(Keys.Assignment(consumer)), Value = CoordinationJson.Serialize(document) } };
        }

        foreach (var consumer in RemovedConsumers)
        {
            yield return new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = CoordinationKeys.Bytes(Keys.Assignment(consumer)) } };
            yield return new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = CoordinationKeys.Bytes(Keys.Applied(consumer)) } };
        }

        yield return new RequestOp
        {
            RequestPut = new PutRequest { Key = CoordinationKeys.Bytes(Keys.Generation), Value = Google.Protobuf.ByteString.CopyFromUtf8(Generation.ToString(CultureInfo.InvariantCulture)) },
        };
    }
}
