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
        builder.Services.AddSingleton(sp => new SequencerStore(
            sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase(),
            new OrderingKeys(sp.GetRequiredService<IOptions<SequencerOptions>>().Value.KeyPrefix)));
        // The idle leader's blocking read of the results stream never goes over the shared, multiplexed connection.
        builder.Services.AddSingleton(sp => new BlockingConnection(
            builder.Configuration.GetConnectionString(RedisConnectionName)
                ?? throw new InvalidOperationException($"No connection string '{RedisConnectionName}' (the AppHost's WithReference(cache))."),
            $"{sp.GetRequiredService<SequencerIdentity>().Token}:blocking",
            sp.GetRequiredService<IOptions<SequencerOptions>>().Value.IdleWait));
        builder.Services.AddSingleton<SequencerMetrics>();
        builder.Services.AddSingleton<SequencerReadiness>();
        builder.Services.AddHealthChecks().AddCheck<SequencerReadiness>("sequencer");
        builder.Services.AddHostedService<SequencerWorker>();
        return builder;
    }
}
