using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.SchemaManager;

/// <summary>Healthy once the initializer has finished; unhealthy with its error if it failed.</summary>
public sealed class SchemaHealthCheck(SchemaInitializer initializer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var task = initializer.ExecuteTask;
        return Task.FromResult(task switch
        {
            { IsCompletedSuccessfully: true } => HealthCheckResult.Healthy("The schema is in place."),
            { IsFaulted: true } => HealthCheckResult.Unhealthy("Creating the schema failed.", task.Exception),
            _ => HealthCheckResult.Unhealthy("The schema is being created."),
        });
    }
}
