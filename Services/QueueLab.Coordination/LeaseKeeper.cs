using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>Grants etcd leases and keeps each alive (see <see cref="EtcdLease"/>).</summary>
public sealed class LeaseKeeper(EtcdClient etcd, EtcdCalls calls, ILogger<LeaseKeeper> logger)
{
    /// <summary>Grants a lease of <see cref="CoordinationOptions.LeaseTtl"/> and starts keeping it alive.</summary>
    public Task<EtcdLease> GrantAsync(CancellationToken cancellationToken) =>
        GrantAsync(calls.Options.LeaseTtl, calls.Options.EffectiveKeepAliveInterval, cancellationToken);

    public async Task<EtcdLease> GrantAsync(TimeSpan ttl, TimeSpan keepAliveInterval, CancellationToken cancellationToken)
    {
        if (ttl < CoordinationOptions.MinimumLeaseTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "etcd leases last at least 2 s.");
        }

        if (keepAliveInterval <= TimeSpan.Zero || keepAliveInterval >= ttl / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(keepAliveInterval), keepAliveInterval, "Keep alive more often than half the TTL.");
        }

        var grantedAt = calls.Time.GetTimestamp();
        var response = await etcd.LeaseGrantAsync(
            new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) },
            deadline: calls.Deadline(), cancellationToken: cancellationToken);
        if (!string.IsNullOrEmpty(response.Error))
        {
            throw new InvalidOperationException($"etcd refused a lease of {ttl}: {response.Error}");
        }

        var lease = new EtcdLease(etcd, calls, response.ID, TimeSpan.FromSeconds(response.TTL), keepAliveInterval, grantedAt, logger);
        lease.Start();
        return lease;
    }
}
