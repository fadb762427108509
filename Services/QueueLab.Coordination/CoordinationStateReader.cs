using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Mvccpb;

namespace QueueLab.Coordination;

/// <summary>Reads the queue configuration, live consumers, assignments, applied generations and the generation counter in one transaction.</summary>
public sealed class CoordinationStateReader(EtcdClient etcd, CoordinationKeys keys, EtcdCalls calls)
{
    public async Task<CoordinationSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.TransactionAsync(new TxnRequest
        {
            Success =
            {
                Range(keys.QueuesPrefix),
                Range(keys.ConsumersPrefix),
                Range(keys.AssignmentsPrefix),
                Range(keys.AppliedPrefix),
                new RequestOp { RequestRange = new RangeRequest { Key = CoordinationKeys.Bytes(keys.Generation) } },
            },
        }, deadline: calls.Deadline(), cancellationToken: cancellationToken);

        var (queues, problems) = QueueDocuments.Parse(Kvs(response, 0), keys);
        var consumers = Kvs(response, 1).Select(kv => CoordinationKeys.NameOf(kv.Key, keys.ConsumersPrefix)).Order(StringComparer.Ordinal).ToList();
        var assignments = Documents<AssignmentDocument>(Kvs(response, 2), keys.AssignmentsPrefix);
        var applied = Documents<AppliedDocument>(Kvs(response, 3), keys.AppliedPrefix);
        var generation = Kvs(response, 4).FirstOrDefault() is { } kv
            && long.TryParse(kv.Value.ToStringUtf8(), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
        return new CoordinationSnapshot(response.Header.Revision, queues, consumers, assignments, applied, generation, problems);
    }

    private static RequestOp Range(string prefix) =>
        new() { RequestRange = new RangeRequest { Key = CoordinationKeys.Bytes(prefix), RangeEnd = CoordinationKeys.RangeEnd(prefix) } };

    private static IEnumerable<KeyValue> Kvs(TxnResponse response, int index) => response.Responses[index].ResponseRange.Kvs;

    private static Dictionary<string, T> Documents<T>(IEnumerable<KeyValue> kvs, string prefix)
        where T : class =>
        kvs.Select(kv => (Name: CoordinationKeys.NameOf(kv.Key, prefix), Document: CoordinationJson.TryDeserialize<T>(kv.Value)))
            .Where(p => p.Document is not null)
            .ToDictionary(p => p.Name, p => p.Document!, StringComparer.Ordinal);
}
