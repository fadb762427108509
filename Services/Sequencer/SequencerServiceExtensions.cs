using Microsoft.Extensions.Options;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Sequencer;

public static class SequencerServiceExtensions
{
    /// <summary>The Redis connection name the AppHost gives (<c>WithReference(cache)</c>).</summary>
    public const string RedisConnectionName = "cache";

    public static IHostApplicationBuilder AddSequencer(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(RedisConnectionName);
        builder.Services.AddOptions<SequencerOptions>()
            .BindConfiguration(SequencerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SequencerOptions>, SequencerOptionsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(SequencerIdentity.Create(builder.Configuration));
        builder.Services.AddSingleton(sp => new SequencerMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<IOptions<SequencerOptions>>().Value.Partitions));
        builder.Services.AddSingleton(sp => new SequencerLanes(sp, builder.Configuration));
        builder.Services.AddSingleton<SequencerReadiness>();
        builder.Services.AddHealthChecks().AddCheck<SequencerReadiness>("sequencer");
        builder.Services.AddHostedService<SequencerWorker>();
        return builder;
    }
}
