using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QueueLab.Coordinator;

namespace QueueLab.Coordination.Tests;

/// <summary>One coordinator replica run in-process, wired exactly as its Program.cs wires it, on a free port.</summary>
public sealed class CoordinatorApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CoordinatorApp(WebApplication app, string instanceId)
    {
        _app = app;
        InstanceId = instanceId;
    }

    public string InstanceId { get; }

    public HttpClient Http { get; private set; } = null!;

    public CoordinatorStatus Status => _app.Services.GetRequiredService<CoordinatorStatus>();

    public CoordinatorMetrics Metrics => _app.Services.GetRequiredService<CoordinatorMetrics>();

    public static async Task<CoordinatorApp> StartAsync(string etcd, string root, string instanceId, int leaseTtlSeconds, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(CoordinatorWorker).Assembly.GetName().Name,
            EnvironmentName = Environments.Development,
        });
        var settings = CoordinationHost.Settings(etcd, root, leaseTtlSeconds);
        settings["QueueLab:Coordinator:InstanceId"] = instanceId;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddCoordinator();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCoordinatorEndpoints();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CoordinatorApp(app, instanceId) { Http = new HttpClient { BaseAddress = new Uri(address) } };
    }

    /// <summary>A graceful stop: the leader resigns, so the standby takes over at once.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
