using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Consumer;

/// <summary>Healthy once the queue assignment is applied and every assigned queue is being consumed.</summary>
public sealed class QueuesHealthCheck(QueueManager manager) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(manager switch
        {
            { Ready: false } => HealthCheckResult.Unhealthy("The queue assignment is not applied yet."),
            { AllConsuming: false } => HealthCheckResult.Degraded("A queue's channel is closed; it recovers with the connection."),
            _ => HealthCheckResult.Healthy($"Consuming {string.Join(", ", manager.ActiveQueues)}."),
        });
}
