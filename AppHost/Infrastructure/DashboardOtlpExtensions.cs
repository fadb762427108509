using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QueueLab.AppHost.Infrastructure;

public static class DashboardOtlpExtensions
{
    /// <summary>
    /// In run mode with the dashboard on (<c>./queuelab run</c>), writes <see cref="DashboardOtlpFile"/> into the lab
    /// state folder as the lab starts and deletes it when the AppHost stops, so the load tests command line (and
    /// <c>./queuelab env</c>) can send telemetry to this dashboard without anyone copying its key. The key itself is
    /// never logged. Nothing is written under the testing builder (no dashboard).
    /// </summary>
    public static IDistributedApplicationBuilder AddDashboardOtlpFile(this IDistributedApplicationBuilder builder, LabSettings settings)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var path = Path.Combine(settings.StateDirectory, DashboardOtlpFile.FileName);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var services = @event.Services;
            if (services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard
                || DashboardOtlpFile.From(key => builder.Configuration[key], Environment.ProcessId) is not { } file)
            {
                return Task.CompletedTask;
            }

            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab");
            try
            {
                Directory.CreateDirectory(settings.StateDirectory);
                file.Write(path);
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => TryDelete(path));
                logger.LogInformation(
                    "Dashboard OTLP endpoint {Endpoint} ({Protocol}) and its API key written to {Path} (owner-only) for the load tests; `./queuelab env` prints the OTEL_* exports",
                    file.Endpoint, file.Protocol, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not write {Path} ({Error}); the load tests will not reach the dashboard on their own", path, ex.Message);
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale file names a dead AppHost process; readers ignore it.
        }
    }
}
