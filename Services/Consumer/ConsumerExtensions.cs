using Microsoft.Extensions.Options;
using QueueLab.Coordination;
using QueueLab.Rabbit;

namespace QueueLab.Consumer;

public static class ConsumerExtensions
{
    public const string MessagingConnectionName = "messaging";
    public const string CacheConnectionName = "cache";
    public const string DatabaseConnectionName = "queuelab";

    public static WebApplicationBuilder AddConsumer(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ConsumerTelemetry.Name);
        builder.AddRabbitMQClient(MessagingConnectionName, configureConnectionFactory: RabbitConnections.For(builder.Configuration.GetConnectionString(MessagingConnectionName)));
        builder.AddRedisClient(CacheConnectionName);
        // The consumer runs the same few statements for every batch: let Npgsql prepare them once per connection
        // (parse and plan once), unless the connection string already says otherwise.
        builder.AddNpgsqlDataSource(DatabaseConnectionName, configureDataSourceBuilder: dataSource =>
        {
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 16;
            }
        });

        builder.Services.AddOptions<ConsumerOptions>()
            .BindConfiguration(ConsumerOptions.Section)
            .Configure<IConfiguration>((options, configuration) => options.Phase = configuration.GetValue(ConsumerOptions.PhaseKey, options.Phase))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConsumerTelemetry>();
        if (builder.Configuration.GetValue(ConsumerOptions.PhaseKey, 2) == 3)
        {
            builder.AddEtcdCoordination();
            builder.Services.AddSingleton<IQueueAssignmentSource, EtcdQueueAssignmentSource>();
        }
        else
        {
            builder.Services.AddSingleton<IQueueAssignmentSource, StaticQueueAssignmentSource>();
        }
        builder.Services.AddSingleton<RecentCompletions>();
        builder.Services.AddSingleton<MessageTracker>();
        builder.Services.AddHostedService<ProcessingKeyRenewal>();
        builder.Services.AddSingleton<FinalStateStore>();
        builder.Services.AddSingleton<Republisher>();
        builder.Services.AddSingleton<SimulatedWork>();
        builder.Services.AddSingleton<DeliveryProcessor>();
        builder.Services.AddSingleton<QueueTopology>();
        builder.Services.AddSingleton<QueueConsumerFactory>();
        builder.Services.AddSingleton<QueueManager>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueManager>());
        builder.Services.AddHostedService<QueueDepthMonitor>();
        builder.Services.AddHealthChecks().AddCheck<QueuesHealthCheck>("queues");
        return builder;
    }
}
