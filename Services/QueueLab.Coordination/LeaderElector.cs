using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// Leader election with a lease-guarded leader key (<c>{root}coordinator/leader</c>): a candidate holds a lease and
/// creates the key in a transaction that succeeds only if the key does not exist. Standbys watch the key and try again
/// whenever it changes (the leader resigned or its lease expired), and on every reconcile tick. The winner's
/// <see cref="Leadership"/> fences every write with the key's create revision.
/// </summary>
public sealed partial class LeaderElector(
    EtcdClient etcd, LeaseKeeper leases, EtcdChangeWatcher changes, CoordinationKeys keys, EtcdCalls calls, ILogger<LeaderElector> logger)
{
    /// <summary>Waits until <paramref name="candidateId"/> is leader.</summary>
    public async Task<Leadership> CampaignAsync(string candidateId, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EtcdLease lease;
            try
            {
                lease = await leases.GrantAsync(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogCampaignFailed(logger, candidateId, ++attempt, ex);
                await Task.Delay(calls.RetryDelay(attempt), calls.Time, cancellationToken);
                continue;
            }

            try
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
                await foreach (var trigger in changes.WatchAsync([WatchTarget.Exact(keys.Leader)], waiting.Token))
                {
                    try
                    {
                        if (await TryAcquireAsync(candidateId, lease, waiting.Token) is { } leadership)
                        {
                            LogElected(logger, candidateId, leadership.Revision);
                            return leadership;
                        }

                        attempt = 0;
                    }
                    catch (Exception ex) when (!waiting.IsCancellationRequested)
                    {
                        LogCampaignFailed(logger, candidateId, ++attempt, ex);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The candidate's lease was lost while it waited: campaign again with a new one.
            }
            catch
            {
                await lease.DisposeAsync();
                throw;
            }

            await lease.DisposeAsync();
        }
    }

    /// <summary>One attempt: creates the leader key under <paramref name="lease"/> if it does not exist.</summary>
    public async Task<Leadership?> TryAcquireAsync(string candidateId, EtcdLease lease, CancellationToken cancellationToken)
    {
        var key = CoordinationKeys.Bytes(keys.Leader);
        var member = new MemberDocument(candidateId, Environment.MachineName, Environment.ProcessId, calls.NowMs());
        var response = await etcd.TransactionAsync(new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = CoordinationJson.Serialize(member), Lease = lease.Id } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
        }, deadline: calls.Deadline(), cancellationToken: cancellationToken);

        if (response.Succeeded)
        {
            // The key was created by this transaction: its create revision is the transaction's revision.
            return new Leadership(etcd, keys, calls, lease, candidateId, response.Header.Revision, logger);
        }

        // A retried request may have created it already: the key under our own lease is ours.
        var current = response.Responses[0].ResponseRange.Kvs.FirstOrDefault();
        return current is not null && current.Lease == lease.Id
            ? new Leadership(etcd, keys, calls, lease, candidateId, current.CreateRevision, logger)
            : null;
    }

    /// <summary>The current leader and its term (the leader key's create revision), or null when there is none.</summary>
    public async Task<(MemberDocument Leader, long Revision)?> GetLeaderAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(keys.Leader, deadline: calls.Deadline(), cancellationToken: cancellationToken);
        var kv = response.Kvs.FirstOrDefault();
        return kv is not null && CoordinationJson.TryDeserialize<MemberDocument>(kv.Value) is { } leader
            ? (leader, kv.CreateRevision)
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{CandidateId} is leader (term {Revision})")]
    private static partial void LogElected(ILogger logger, string candidateId, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign of {CandidateId} failed (attempt {Attempt}); retrying")]
    private static partial void LogCampaignFailed(ILogger logger, string candidateId, int attempt, Exception exception);
}
