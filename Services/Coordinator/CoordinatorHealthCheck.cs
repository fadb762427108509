using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Coordinator;

/// <summary>Healthy once the queue configuration is seeded and the replica is leader or standing by.</summary>
public sealed class CoordinatorHealthCheck(CoordinatorStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.Role == CoordinatorRole.Starting
            ? HealthCheckResult.Unhealthy("The queue configuration is not seeded yet (etcd not reached).")
            : HealthCheckResult.Healthy(status.Role == CoordinatorRole.Leader ? $"Leader (term {status.Term})." : "Standing by."));
}
