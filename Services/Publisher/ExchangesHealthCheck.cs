using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Publisher;

public sealed class ExchangesHealthCheck(ExchangeDeclarer declarer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(declarer.Declared
            ? HealthCheckResult.Healthy("The exchanges are declared.")
            : HealthCheckResult.Unhealthy("The exchanges are not declared yet."));
}
