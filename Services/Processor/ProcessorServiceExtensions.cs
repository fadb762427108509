using Microsoft.Extensions.Options;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Processor;

public static class ProcessorServiceExtensions
{
    /// <summary>The Redis connection name the AppHost gives (<c>WithReference(cache)</c>).</summary>
    public const string RedisConnectionName = "cache";

    /// <summary>The PostgreSQL database connection name, used when <c>SystemOfRecord</c> is <c>Postgres</c>.</summary>
    public const string DatabaseConnectionName = "queuelab";

    public static IHostApplicationBuilder AddProcessor(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(RedisConnectionName);
        builder.Services.AddOptions<ProcessorOptions>()
            .BindConfiguration(ProcessorOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProcessorOptions>, ProcessorOptionsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(ProcessorIdentity.Create(builder.Configuration));
        if (builder.Configuration.GetValue<SystemOfRecordKind>($"{ProcessorOptions.Section}:SystemOfRecord") == SystemOfRecordKind.Postgres)
        {
            builder.AddNpgsqlDataSource(DatabaseConnectionName);
            builder.Services.AddSingleton(sp => new PostgresSystemOfRecord(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProcessorOptions>>().Value.Mode));
            builder.Services.AddSingleton<ISystemOfRecord>(sp => sp.GetRequiredService<PostgresSystemOfRecord>());
            builder.Services.AddHostedService<PostgresWarmupService>();
        }
        else
        {
            builder.Services.AddSingleton<ISystemOfRecord, RedisSystemOfRecord>();
        }

        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddSingleton(sp => new ProcessorLanes(sp, builder.Configuration));

        // Stopped in reverse order: the worker first (returning its messages), the heartbeat last.
        builder.Services.AddHostedService<HeartbeatService>();
        builder.Services.AddHostedService<ReaperService>();
        builder.Services.AddHostedService<ProcessorWorker>();
        return builder;
    }
}
