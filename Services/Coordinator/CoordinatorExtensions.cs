using QueueLab.Coordination;

namespace QueueLab.Coordinator;

public static class CoordinatorExtensions
{
    public static WebApplicationBuilder AddCoordinator(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(CoordinatorMetrics.Name);
        builder.AddEtcdCoordination();
        builder.Services.AddOptions<CoordinatorOptions>()
            .BindConfiguration(CoordinatorOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CoordinatorStatus>();
        builder.Services.AddSingleton<CoordinatorMetrics>();
        builder.Services.AddHostedService<CoordinatorWorker>();
        builder.Services.AddHealthChecks().AddCheck<CoordinatorHealthCheck>("coordinator");
        return builder;
    }
}
