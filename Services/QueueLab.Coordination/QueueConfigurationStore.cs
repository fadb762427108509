using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;
using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>
/// The queue configuration in etcd (<c>{root}queues/{name}</c>): read it, change one queue (validated first: an
/// invalid change is refused with the reasons and writes nothing), and seed it at first start (each queue only if
/// its key does not exist, in a transaction, so a restart never overwrites a change made at run time).
/// </summary>
public sealed partial class QueueConfigurationStore(
    EtcdClient etcd, CoordinationKeys keys, EtcdCalls calls, ILogger<QueueConfigurationStore> logger)
{
    private const int MaxConflictRetries = 5;

    public async Task<IReadOnlyList<QueueDefinition>> GetAllAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.GetRangeAsync(keys.QueuesPrefix, deadline: calls.Deadline(), cancellationToken: cancellationToken);
        var (queues, problems) = QueueDocuments.Parse(response.Kvs, keys);
        foreach (var problem in problems)
        {
            LogInvalidDocument(logger, problem);
        }

        return queues;
    }

    public async Task<QueueDefinition?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(keys.Queue(name), deadline: calls.Deadline(), cancellationToken: cancellationToken);
        return response.Kvs.Count == 0 ? null : CoordinationJson.TryDeserialize<QueueDocument>(response.Kvs[0].Value)?.ToDefinition(name);
    }

    /// <summary>
    /// Creates or replaces one queue's configuration (its <c>updatedAt</c> is set now). Refused, with every reason
    /// and nothing written, when the queue is invalid or would clash with the others (one type per exchange).
    /// </summary>
    public async Task<QueueConfigurationResult> SetAsync(QueueDefinition queue, CancellationToken cancellationToken)
    {
        var errors = QueueDefinitionValidator.Validate(queue);
        if (errors.Count > 0)
        {
            return QueueConfigurationResult.Refused(errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            var current = await etcd.GetRangeAsync(keys.QueuesPrefix, deadline: calls.Deadline(), cancellationToken: cancellationToken);
            var (others, _) = QueueDocuments.Parse(current.Kvs.Where(kv => CoordinationKeys.NameOf(kv.Key, keys.QueuesPrefix) != queue.Name), keys);
            errors = QueueDefinitionValidator.ValidateAll([.. others, queue]);
            if (errors.Count > 0)
            {
                return QueueConfigurationResult.Refused(errors);
            }

            var key = keys.Queue(queue.Name);
            var modRevision = current.Kvs.FirstOrDefault(kv => kv.Key.ToStringUtf8() == key)?.ModRevision ?? 0;
            var stored = queue with { UpdatedAt = calls.NowMs() };
            var response = await etcd.TransactionAsync(new TxnRequest
            {
                // Unchanged since read (0: still absent), so the cross-queue check above still holds for this queue.
                Compare = { new Compare { Key = CoordinationKeys.Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = modRevision } },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = CoordinationKeys.Bytes(key), Value = CoordinationJson.Serialize(QueueDocument.From(stored)) } } },
            }, deadline: calls.Deadline(), cancellationToken: cancellationToken);
            if (response.Succeeded)
            {
                LogStored(logger, stored.Name, stored.Priority, stored.Binding.ExchangeName, stored.Binding.RoutingKey);
                return QueueConfigurationResult.Stored(stored);
            }

            if (attempt >= MaxConflictRetries)
            {
                return QueueConfigurationResult.Refused([$"Queue '{queue.Name}' kept changing concurrently; try again."]);
            }
        }
    }

    /// <summary>Writes each queue whose key does not exist yet; returns the names written. Invalid seeds throw with the reasons.</summary>
    public async Task<IReadOnlyList<string>> SeedIfAbsentAsync(IReadOnlyCollection<QueueDefinition> queues, CancellationToken cancellationToken)
    {
        var errors = QueueDefinitionValidator.ValidateAll(queues);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The queue configuration to seed is invalid: {string.Join(" ", errors)}");
        }

        var written = new List<string>();
        foreach (var queue in queues)
        {
            var key = CoordinationKeys.Bytes(keys.Queue(queue.Name));
            var response = await etcd.TransactionAsync(new TxnRequest
            {
                Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = CoordinationJson.Serialize(QueueDocument.From(queue with { UpdatedAt = calls.NowMs() })) } } },
            }, deadline: calls.Deadline(), cancellationToken: cancellationToken);
            if (response.Succeeded)
            {
                written.Add(queue.Name);
            }
        }

        return written;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring an invalid queue document in etcd: {Problem}")]
    private static partial void LogInvalidDocument(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} stored: priority {Priority}, bound to {Exchange} with '{RoutingKey}'")]
    private static partial void LogStored(ILogger logger, string queue, int priority, string exchange, string routingKey);
}
