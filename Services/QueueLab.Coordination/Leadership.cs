using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// Held by the elected leader: the leader key it created under its lease, and that key's create revision, the
/// fencing token. Every write goes through <see cref="TryCommitAsync"/>, one transaction that applies only while the
/// leader key still has that create revision; a deposed leader (lease expired, key deleted or re-created by the
/// next leader) has its write refused and learns it through <see cref="Lost"/>. Disposing resigns: the key is deleted
/// (guarded the same way) and the lease revoked, so a standby takes over at once.
/// </summary>
public sealed partial class Leadership : IAsyncDisposable
{
    private readonly EtcdClient _etcd;
    private readonly CoordinationKeys _keys;
    private readonly EtcdCalls _calls;
    private readonly EtcdLease _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _deposed = new();
    private readonly CancellationTokenSource _lost;

    internal Leadership(EtcdClient etcd, CoordinationKeys keys, EtcdCalls calls, EtcdLease lease, string candidateId, long revision, ILogger logger)
    {
        _etcd = etcd;
        _keys = keys;
        _calls = calls;
        _lease = lease;
        _logger = logger;
        CandidateId = candidateId;
        Revision = revision;
        ElectedAt = calls.Time.GetUtcNow();
        _lost = CancellationTokenSource.CreateLinkedTokenSource(lease.Lost, _deposed.Token);
    }

    public string CandidateId { get; }

    /// <summary>The create revision of the leader key: the fencing token, increasing with every new leader.</summary>
    public long Revision { get; }

    public long LeaseId => _lease.Id;

    public DateTimeOffset ElectedAt { get; }

    /// <summary>Cancelled once this leadership is over: its lease was lost or a fenced write was refused.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>The underlying lease (tests abandon it to simulate a frozen leader).</summary>
    public EtcdLease Lease => _lease;

    /// <summary>
    /// Applies <paramref name="operations"/> in one transaction if, and only if, this is still the leader.
    /// Returns the transaction's revision, or null (and marks the leadership lost) when it is not.
    /// </summary>
    public async Task<long?> TryCommitAsync(IEnumerable<RequestOp> operations, CancellationToken cancellationToken)
    {
        var request = new TxnRequest { Compare = { Fence() } };
        request.Success.AddRange(operations);
        var response = await _etcd.TransactionAsync(request, deadline: _calls.Deadline(), cancellationToken: cancellationToken);
        if (response.Succeeded)
        {
            return response.Header.Revision;
        }

        LogDeposed(_logger, CandidateId, Revision);
        await _deposed.CancelAsync();
        return null;
    }

    /// <summary>The guard of every leader write: the leader key still has the create revision this leader made.</summary>
    public Compare Fence() => new()
    {
        Key = CoordinationKeys.Bytes(_keys.Leader),
        Target = Compare.Types.CompareTarget.Create,
        Result = Compare.Types.CompareResult.Equal,
        CreateRevision = Revision,
    };

    public async ValueTask DisposeAsync()
    {
        if (!_lease.IsLost)
        {
            try
            {
                await _etcd.TransactionAsync(new TxnRequest
                {
                    Compare = { Fence() },
                    Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = CoordinationKeys.Bytes(_keys.Leader) } } },
                }, deadline: _calls.Deadline());
                LogResigned(_logger, CandidateId, Revision);
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException)
            {
                LogResignFailed(_logger, CandidateId, ex);
            }
        }

        await _lease.DisposeAsync();
        await _deposed.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{CandidateId} is no longer leader (term {Revision}): a fenced write was refused")]
    private static partial void LogDeposed(ILogger logger, string candidateId, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "{CandidateId} resigned leadership (term {Revision})")]
    private static partial void LogResigned(ILogger logger, string candidateId, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{CandidateId} could not delete its leader key; it expires with the lease")]
    private static partial void LogResignFailed(ILogger logger, string candidateId, Exception exception);
}
