using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Network;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab;

public static class LabLayerExtensions
{
    /// <summary>
    /// Registers the lab layer in the AppHost's services: the resource registry (created before the first resource
    /// starts, so it sees every instance from its first snapshot), the fault library and the lab's fault proxies (closed
    /// when the AppHost stops). Tests, suites and the dashboard's commands take them from there.
    /// </summary>
    public static IDistributedApplicationBuilder AddLabLayer(this IDistributedApplicationBuilder builder, FaultProxies proxies)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(proxies);
        builder.Services.AddSingleton<LabResources>();
        builder.Services.AddSingleton<ProcessFaults>();
        builder.Services.AddSingleton<ServerFaults>();
        builder.Services.AddSingleton<LabFaults>();
        builder.Services.AddHostedService(_ => new FaultProxyLifetime(proxies));
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<LabResources>();
            proxies.Start();
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>Closes the proxies when the AppHost stops (the container does not dispose an instance it was given).</summary>
    private sealed class FaultProxyLifetime(FaultProxies proxies) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await proxies.DisposeAsync().ConfigureAwait(false);
    }
}
