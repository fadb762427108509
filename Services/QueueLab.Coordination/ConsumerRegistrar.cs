using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// Registers a consumer at <c>{root}consumers/{id}</c> under its own lease: the key lives as long as the
/// keep-alives do, so a consumer that dies disappears with its lease.
/// </summary>
public sealed partial class ConsumerRegistrar(
    EtcdClient etcd, LeaseKeeper leases, CoordinationKeys keys, EtcdCalls calls, ILogger<ConsumerRegistrar> logger)
{
    /// <summary>Registers once; dispose the returned lease to deregister at once (or abandon it to let it expire).</summary>
    public async Task<EtcdLease> RegisterAsync(string consumerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        var lease = await leases.GrantAsync(cancellationToken);
        try
        {
            var member = new MemberDocument(consumerId, Environment.MachineName, Environment.ProcessId, calls.NowMs());
            await etcd.PutAsync(new PutRequest
            {
                Key = CoordinationKeys.Bytes(keys.Consumer(consumerId)),
                Value = CoordinationJson.Serialize(member),
                Lease = lease.Id,
            }, deadline: calls.Deadline(), cancellationToken: cancellationToken);
            LogRegistered(logger, consumerId, lease.Id, lease.Ttl.TotalSeconds);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stays registered until cancelled: registers, and registers again under a new lease whenever the lease is
    /// lost (etcd was unreachable longer than the TTL). Cancelling revokes the lease, so the consumer leaves at once.
    /// </summary>
    public async Task RunAsync(string consumerId, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            EtcdLease lease;
            try
            {
                lease = await RegisterAsync(consumerId, cancellationToken);
                attempt = 0;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRegistrationFailed(logger, consumerId, ++attempt, ex);
                await Task.Delay(calls.RetryDelay(attempt), calls.Time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            await using (lease)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
                await Task.Delay(Timeout.InfiniteTimeSpan, calls.Time, either.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!cancellationToken.IsCancellationRequested)
                {
                    LogReregistering(logger, consumerId);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {ConsumerId} registered under lease {LeaseId:x} (TTL {TtlSeconds} s)")]
    private static partial void LogRegistered(ILogger logger, string consumerId, long leaseId, double ttlSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering consumer {ConsumerId} failed (attempt {Attempt}); retrying")]
    private static partial void LogRegistrationFailed(ILogger logger, string consumerId, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {ConsumerId} lost its lease; registering again")]
    private static partial void LogReregistering(ILogger logger, string consumerId);
}
