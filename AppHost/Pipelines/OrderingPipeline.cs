using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure;

namespace QueueLab.AppHost.Pipelines;

public static class OrderingPipeline
{
    public const string Section = "QueueLab:Ordering";

    /// <summary>
    /// Pipeline B: processors (active-active, <c>QueueLab:Ordering:Processors</c> replicas, 3 by default) and
    /// sequencers (leader + hot standby, <c>QueueLab:Ordering:Sequencers</c>, 2 by default) on Redis. Every key
    /// under <c>QueueLab:Ordering:Processor</c> / <c>:Sequencer</c> (for example <c>Processor:MaxInFlight=8</c>,
    /// <c>Processor:WorkTime=00:00:00.5</c>) reaches the services as their <c>Ordering:Processor:*</c> /
    /// <c>Ordering:Sequencer:*</c> settings.
    /// </summary>
    public static IDistributedApplicationBuilder AddOrderingPipeline(this IDistributedApplicationBuilder builder, LabServers servers)
    {
        var section = builder.Configuration.GetSection(Section);

        var processor = builder.AddProject<Projects.QueueLab_Processor>("processor")
            .WithReplicas(Replicas(section, "Processors", 3))
            .WithReference(servers.Cache).WaitFor(servers.Cache)
            .WithPrefixedSettings(section.GetSection("Processor"), "Ordering__Processor__")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        if (string.Equals(section["Processor:SystemOfRecord"], "postgres", StringComparison.OrdinalIgnoreCase))
        {
            processor.WithReference(servers.Database).WaitFor(servers.Database);
        }

        builder.AddProject<Projects.QueueLab_Sequencer>("sequencer")
            .WithReplicas(Replicas(section, "Sequencers", 2))
            .WithReference(servers.Cache).WaitFor(servers.Cache)
            .WithPrefixedSettings(section.GetSection("Sequencer"), "Ordering__Sequencer__")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        return builder;
    }

    private static int Replicas(IConfigurationSection section, string key, int fallback) =>
        section[key] is not { } text
            ? fallback
            : int.TryParse(text, out var count) && count is >= 1 and <= 32
                ? count
                : throw new InvalidOperationException($"{Section}:{key} is '{text}'; use a whole number from 1 to 32.");
}
