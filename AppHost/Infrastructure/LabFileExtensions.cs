using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Hosting;
using QueueLab.Lab.Setup;

namespace QueueLab.AppHost.Infrastructure;

public static class LabFileExtensions
{
    /// <summary>
    /// In run mode, writes the <see cref="LabFile"/> (<c>lab.json</c>: the servers' connection strings, what the lab runs,
    /// and the dashboard's OTLP endpoint and key when it has a dashboard) into the lab state folder once the resources are
    /// created, and deletes it when the AppHost stops: the load suites' command line and <c>./queuelab env</c> find this lab
    /// there. It is owner-only and never logged. Nothing is written under the testing builder.
    /// </summary>
    public static IDistributedApplicationBuilder AddLabFile(this IDistributedApplicationBuilder builder, LabSettings settings, LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var path = Path.Combine(settings.StateDirectory, LabFile.FileName);
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>(async (@event, cancellationToken) =>
        {
            var services = @event.Services;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab");
            var strings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var server in @event.Model.Resources.OfType<IResourceWithConnectionString>())
            {
                if (await server.GetConnectionStringAsync(cancellationToken).ConfigureAwait(false) is { } value)
                {
                    strings[server.Name] = value;
                }
            }

            var dashboard = !services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard;
            var file = new LabFile(Environment.ProcessId, strings, setup, dashboard ? DashboardOtlp.From(key => builder.Configuration[key]) : null);
            try
            {
                Directory.CreateDirectory(settings.StateDirectory);
                file.Write(path);
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => TryDelete(path));
                logger.LogInformation("This lab is described in {Path} (owner-only): the load suites' command line and `./queuelab env` find it there", path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not write {Path} ({Error}); the load suites' command line will not find this lab on its own", path, ex.Message);
            }
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
