using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.AppHost.Infrastructure;

public static class HealthCheckExtensions
{
    /// <summary>
    /// Attaches a protocol probe as the resource's health check (registered under <c>{name}_check</c>, as the
    /// Aspire integrations do), resolving the resource's own connection string at check time.
    /// </summary>
    public static IResourceBuilder<T> WithProbe<T>(
        this IResourceBuilder<T> builder, Func<string, CancellationToken, Task> probe)
        where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}_check";
        var resource = builder.Resource;
        builder.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{resource.Name} has no connection string yet.");
                await probe(connectionString, cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"{resource.Name} does not answer yet: {ex.Message}");
            }
        });
        return builder.WithHealthCheck(key);
    }
}
