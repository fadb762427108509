using Mvccpb;
using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>Reads queue definitions out of etcd key-values, setting aside any that are malformed or invalid.</summary>
public static class QueueDocuments
{
    public static (IReadOnlyList<QueueDefinition> Valid, IReadOnlyList<string> Problems) Parse(IEnumerable<KeyValue> kvs, CoordinationKeys keys)
    {
        var valid = new List<QueueDefinition>();
        var problems = new List<string>();
        foreach (var kv in kvs)
        {
            var name = CoordinationKeys.NameOf(kv.Key, keys.QueuesPrefix);
            if (CoordinationJson.TryDeserialize<QueueDocument>(kv.Value) is not { } document)
            {
                problems.Add($"Queue '{name}': the document is not {{ priority, updatedAt, binding }} JSON.");
                continue;
            }

            var queue = document.ToDefinition(name);
            var errors = QueueDefinitionValidator.Validate(queue);
            if (errors.Count > 0)
            {
                problems.AddRange(errors);
                continue;
            }

            valid.Add(queue);
        }

        return (valid.OrderBy(q => q.Name, StringComparer.Ordinal).ToList(), problems);
    }
}
