using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Resources;
using QueueLab.Lab.Setup;
using QueueLab.LoadSuites.Labs;

namespace QueueLab.Lab.Commands;

/// <summary>
/// The dashboard's commands: scenarios and checks on the pipeline resources (<see cref="OrderingCommands"/>,
/// <see cref="RabbitCommands"/>), a kill -9 on every service replica and faults on every server
/// (<see cref="FaultCommands"/>). They run the same load suites and fault library the test suites use;
/// every command answers with success or a failure that says why, and a second click while the first is still
/// running is refused with a message.
/// </summary>
public static class LabCommands
{
    /// <summary>Adds the commands to the resources already in the model; call it after the pipelines are added.</summary>
    public static IDistributedApplicationBuilder AddLabCommands(this IDistributedApplicationBuilder builder, LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(setup);
        var configuration = builder.Configuration;
        builder.Services.AddSingleton(services => LoadRunSettings.Read(configuration,
            dashboard: !services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard));
        builder.Services.AddSingleton<LoadRuns>();
        builder.Services.AddSingleton<CommandGates>();
        builder.Services.AddHostedService<LoadRunsLifetime>();

        FaultCommands.AddTo(builder);
        if (setup.Pipelines.Ordering)
        {
            OrderingCommands.AddTo(builder, setup);
        }

        if (setup.Pipelines.Rabbit)
        {
            RabbitCommands.AddTo(builder, setup);
        }

        return builder;
    }

    /// <summary>A pipeline resource on the dashboard, parent of the services named in <paramref name="children"/>.</summary>
    internal static IResourceBuilder<PipelineResource> AddPipeline(IDistributedApplicationBuilder builder, string name, string description, params string[] children)
    {
        var pipeline = builder.AddResource(new PipelineResource(name, description))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Pipeline",
                State = new ResourceStateSnapshot(PipelineResource.Idle, KnownResourceStateStyles.Info),
                Properties = [new("Description", description)],
            })
            .ExcludeFromManifest();
        foreach (var child in builder.Resources.Where(r => children.Contains(r.Name, StringComparer.Ordinal)).ToList())
        {
            child.Annotations.Add(new ResourceRelationshipAnnotation(pipeline.Resource, "Parent"));
        }

        return pipeline;
    }

    internal static Task SetStateAsync(IServiceProvider services, IResource resource, string state, string style) =>
        services.GetRequiredService<ResourceNotificationService>()
            .PublishUpdateAsync(resource, s => s with { State = new ResourceStateSnapshot(state, style) });

    internal static Task<string> ConnectionStringAsync(IServiceProvider services, string name, CancellationToken cancellationToken) =>
        services.GetRequiredService<LabResources>().ConnectionStringAsync(name, cancellationToken);

    /// <summary>This lab for a load run: the connection strings the suites use, its shape, and its resources' processes.</summary>
    internal static async Task<LabConnections> LabAsync(IServiceProvider services, LabSetup setup, CancellationToken cancellationToken)
    {
        var resources = services.GetRequiredService<LabResources>();
        var strings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { ResourceNames.Cache, ResourceNames.Messaging, ResourceNames.Database })
        {
            if (resources.Has(name))
            {
                strings[name] = await resources.ConnectionStringAsync(name, cancellationToken).ConfigureAwait(false);
            }
        }

        return new LabConnections(strings, startedBySuite: false) { Setup = setup, ProcessIds = resources.ProcessIds };
    }

    internal static ILogger Logger(IServiceProvider services, IResource resource) =>
        services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);

    /// <summary>The lab's secret values (passwords, the dashboard's OTLP key), masked in anything a run logs.</summary>
    internal static async Task<IReadOnlyList<string>> SecretsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var secrets = new List<string>();
        foreach (var parameter in services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Where(p => p.Secret))
        {
            if (await parameter.GetValueAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } value)
            {
                secrets.Add(value);
                secrets.Add(Uri.EscapeDataString(value));
            }
        }

        if (services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["AppHost:OtlpApiKey"] is { Length: > 0 } key)
        {
            secrets.Add(key);
        }

        return secrets;
    }

    /// <summary>Runs a command body and turns the failures a person can act on into a clear failed result.</summary>
    internal static async Task<ExecuteCommandResult> GuardAsync(ExecuteCommandContext context, string what, Func<Task<ExecuteCommandResult>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return CommandResults.Canceled();
        }
        catch (Exception ex) when (ex is CommandArgumentException or LoadRunRefusedException)
        {
            return CommandResults.Failure(ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab.Commands")
                .LogWarning("{What} failed: {Error}", what, ex.Message);
            return CommandResults.Failure($"{what} failed: {ex.Message}");
        }
    }

    /// <summary>Ends the runs still going when the AppHost stops, so no load-suite process outlives the lab.</summary>
    private sealed class LoadRunsLifetime(LoadRuns runs) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await runs.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Single flight per key: a second click on a command that is still running is refused, not run twice.</summary>
public sealed class CommandGates
{
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The keys whose command is running now.</summary>
    public IReadOnlyList<string> Held
    {
        get
        {
            lock (_lock)
            {
                return [.. _running];
            }
        }
    }

    public IDisposable Enter(string key, string refusal)
    {
        lock (_lock)
        {
            if (!_running.Add(key))
            {
                throw new LoadRunRefusedException(refusal);
            }
        }

        return new Release(this, key);
    }

    private sealed class Release(CommandGates gates, string key) : IDisposable
    {
        public void Dispose()
        {
            lock (gates._lock)
            {
                gates._running.Remove(key);
            }
        }
    }
}
