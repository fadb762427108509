using System.Runtime.CompilerServices;
using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// A consumer's view of its assignment: watches <c>{root}assignments/{id}</c> and the queue configuration, re-reads
/// both (one consistent read) on every change, reconnection and periodic reconcile, and yields the consumer's
/// queue definitions whenever the assignment or an assigned queue's binding changed. Nothing is yielded until the
/// first assignment exists; once one was seen, a deleted assignment yields an empty list.
/// </summary>
public sealed partial class AssignmentWatcher(
    EtcdClient etcd, EtcdChangeWatcher changes, CoordinationKeys keys, EtcdCalls calls, ILogger<AssignmentWatcher> logger)
{
    public async IAsyncEnumerable<ConsumerAssignment> WatchAsync(string consumerId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ConsumerAssignment? last = null;
        WatchTarget[] targets = [WatchTarget.Exact(keys.Assignment(consumerId)), WatchTarget.Prefix(keys.QueuesPrefix)];
        await foreach (var trigger in changes.WatchAsync(targets, cancellationToken))
        {
            ConsumerAssignment? current;
            try
            {
                current = await ReadAsync(consumerId, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogReadFailed(logger, consumerId, trigger, ex);
                continue;
            }

            if (current is null)
            {
                if (last is null || last.Generation == 0)
                {
                    continue;
                }

                current = new ConsumerAssignment(consumerId, 0, [], []);
            }

            if (current.SameAs(last))
            {
                continue;
            }

            foreach (var queue in current.Unconfigured)
            {
                LogUnconfigured(logger, consumerId, queue);
            }

            last = current;
            yield return current;
        }
    }

    /// <summary>The consumer's assignment with its queues' configuration, read at one revision; null when it has none.</summary>
    public async Task<ConsumerAssignment?> ReadAsync(string consumerId, CancellationToken cancellationToken)
    {
        var response = await etcd.TransactionAsync(new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = CoordinationKeys.Bytes(keys.Assignment(consumerId)) } },
                new RequestOp { RequestRange = new RangeRequest { Key = CoordinationKeys.Bytes(keys.QueuesPrefix), RangeEnd = CoordinationKeys.RangeEnd(keys.QueuesPrefix) } },
            },
        }, deadline: calls.Deadline(), cancellationToken: cancellationToken);

        var assignmentKvs = response.Responses[0].ResponseRange.Kvs;
        if (assignmentKvs.Count == 0 || CoordinationJson.TryDeserialize<AssignmentDocument>(assignmentKvs[0].Value) is not { } document)
        {
            return null;
        }

        var (queues, _) = QueueDocuments.Parse(response.Responses[1].ResponseRange.Kvs, keys);
        var byName = queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
        var assigned = document.Queues.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new ConsumerAssignment(
            consumerId,
            document.Generation,
            [.. assigned.Where(byName.ContainsKey).Select(q => byName[q])],
            [.. assigned.Where(q => !byName.ContainsKey(q))]);
    }

    /// <summary>
    /// Records that the consumer applied <paramref name="assignment"/> (<c>{root}applied/{id}</c>). Best effort: a
    /// failure is logged and reported as false (it only delays the coordinator's applied-duration metric).
    /// </summary>
    public async Task<bool> AcknowledgeAsync(ConsumerAssignment assignment, CancellationToken cancellationToken)
    {
        var applied = new AppliedDocument(assignment.Generation, [.. assignment.Queues.Select(q => q.Name)], calls.NowMs());
        try
        {
            await etcd.PutAsync(new PutRequest
            {
                Key = CoordinationKeys.Bytes(keys.Applied(assignment.ConsumerId)),
                Value = CoordinationJson.Serialize(applied),
            }, deadline: calls.Deadline(), cancellationToken: cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogAcknowledgeFailed(logger, assignment.ConsumerId, assignment.Generation, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {ConsumerId} could not record that it applied generation {Generation}")]
    private static partial void LogAcknowledgeFailed(ILogger logger, string consumerId, long generation, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the assignment of {ConsumerId} failed after {Trigger}; retrying on the next trigger")]
    private static partial void LogReadFailed(ILogger logger, string consumerId, ChangeTrigger trigger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {ConsumerId} is assigned queue {Queue}, which has no valid configuration; skipping it")]
    private static partial void LogUnconfigured(ILogger logger, string consumerId, string queue);
}
