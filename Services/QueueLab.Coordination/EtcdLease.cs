using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// A granted etcd lease, kept alive on one keep-alive stream every <see cref="KeepAliveInterval"/> (reopened when
/// etcd restarts). The lease counts as valid until its TTL after the last keep-alive etcd confirmed, measured from
/// when that keep-alive was sent; once that passes, or etcd answers TTL 0 (the lease is gone), <see cref="Lost"/> is
/// cancelled and stays so. Disposing revokes the lease, so its keys vanish at once; <see cref="AbandonAsync"/> only
/// stops the keep-alives (what a crash does).
/// </summary>
public sealed partial class EtcdLease : IAsyncDisposable
{
    private readonly EtcdClient _etcd;
    private readonly EtcdCalls _calls;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private long _validUntil;
    private long _keepAlives;
    private Task _keepAlive = Task.CompletedTask;
    private int _disposed;

    internal EtcdLease(EtcdClient etcd, EtcdCalls calls, long id, TimeSpan ttl, TimeSpan keepAliveInterval, long grantedAt, ILogger logger)
    {
        _etcd = etcd;
        _calls = calls;
        _logger = logger;
        Id = id;
        Ttl = ttl;
        KeepAliveInterval = keepAliveInterval;
        _validUntil = grantedAt + Ticks(ttl);
    }

    public long Id { get; }

    public TimeSpan Ttl { get; }

    public TimeSpan KeepAliveInterval { get; }

    /// <summary>Cancelled when the lease is lost (expired, revoked, or disposed).</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>Keep-alives etcd confirmed so far.</summary>
    public long KeepAlives => Interlocked.Read(ref _keepAlives);

    /// <summary>How long the lease surely still holds in etcd (negative once it may have expired).</summary>
    public TimeSpan Remaining =>
        TimeSpan.FromSeconds((Interlocked.Read(ref _validUntil) - _calls.Time.GetTimestamp()) / (double)_calls.Time.TimestampFrequency);

    internal void Start() => _keepAlive = Task.Run(() => KeepAliveAsync(_stop.Token));

    private async Task KeepAliveAsync(CancellationToken stopping)
    {
        var attempt = 0;
        while (!stopping.IsCancellationRequested && !IsLost)
        {
            try
            {
                using var call = _etcd.GetConnection().LeaseClient.LeaseKeepAlive(cancellationToken: stopping);
                while (true)
                {
                    var sentAt = _calls.Time.GetTimestamp();
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Id }, stopping);

                    // Wait for the answer no longer than the lease surely holds.
                    using var answer = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    answer.CancelAfter(Max(Remaining, TimeSpan.FromMilliseconds(1)));
                    if (!await call.ResponseStream.MoveNext(answer.Token))
                    {
                        throw new RpcException(new Status(StatusCode.Unavailable, "The keep-alive stream ended."));
                    }

                    var response = call.ResponseStream.Current;
                    if (response.TTL <= 0)
                    {
                        MarkLost("etcd no longer knows it (expired or revoked)");
                        return;
                    }

                    Interlocked.Exchange(ref _validUntil, sentAt + Ticks(TimeSpan.FromSeconds(response.TTL)));
                    Interlocked.Increment(ref _keepAlives);
                    attempt = 0;
                    await Task.Delay(KeepAliveInterval, _calls.Time, stopping);
                }
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (Remaining <= TimeSpan.Zero)
                {
                    MarkLost($"no keep-alive was confirmed within its TTL of {Ttl.TotalSeconds:0} s ({ex.GetType().Name})");
                    return;
                }

                LogKeepAliveFailed(_logger, Id, Remaining.TotalMilliseconds, ex);
                try
                {
                    await Task.Delay(Min(_calls.RetryDelay(++attempt), Max(Remaining, TimeSpan.FromMilliseconds(10))), _calls.Time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void MarkLost(string reason)
    {
        if (!_lost.IsCancellationRequested)
        {
            LogLost(_logger, Id, reason);
            _lost.Cancel();
        }
    }

    /// <summary>Stops the keep-alives without revoking: the lease expires in etcd after its TTL, as after a crash.</summary>
    public async Task AbandonAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops the keep-alives and revokes the lease, deleting every key attached to it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await AbandonAsync();
        if (!IsLost)
        {
            try
            {
                await _etcd.LeaseRevokeAsync(new LeaseRevokeRequest { ID = Id }, deadline: _calls.Deadline());
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
            {
                // Best effort: unrevoked, the lease expires after its TTL.
                LogRevokeFailed(_logger, Id, ex);
            }
        }

        // Not disposed: holders may still read Lost, which stays cancelled.
        await _lost.CancelAsync();
        _stop.Dispose();
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _calls.Time.TimestampFrequency);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keep-alive of lease {LeaseId:x} failed; it holds {RemainingMs:0} ms more, retrying")]
    private static partial void LogKeepAliveFailed(ILogger logger, long leaseId, double remainingMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId:x} is lost: {Reason}")]
    private static partial void LogLost(ILogger logger, long leaseId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Revoking lease {LeaseId:x} failed; it expires after its TTL")]
    private static partial void LogRevokeFailed(ILogger logger, long leaseId, Exception exception);
}
