using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure;

namespace QueueLab.AppHost.Pipelines;

public static class RabbitPipeline
{
    public const string Section = "QueueLab:Rabbit";
    public const string PhaseKey = "QueueLab:Phase";
    public const string SchemaManagerName = "schema-manager";
    public const string PublisherName = "publisher";
    public const string ConsumerName = "consumer";

    /// <summary>
    /// Pipeline A: the schema manager (owns the PostgreSQL tables; consumers wait for it), the publisher and the
    /// consumers (<c>QueueLab:Rabbit:Consumers</c> replicas, 3 by default) in phase <c>QueueLab:Phase</c> (1, 2 or 3,
    /// 3 by default; phase 3 adds the etcd coordinators, see <see cref="CoordinationPipeline"/>). Every key under
    /// <c>QueueLab:Rabbit:Consumer</c> / <c>:Publisher</c> (for example
    /// <c>Consumer:Prefetch=200</c>) reaches the services as their <c>QueueLab:Consumer:*</c> /
    /// <c>QueueLab:Publisher:*</c> settings; <c>QueueLab:Rabbit:Queues</c> replaces the default queue list.
    /// </summary>
    public static IDistributedApplicationBuilder AddRabbitPipeline(this IDistributedApplicationBuilder builder, LabServers servers)
    {
        var section = builder.Configuration.GetSection(Section);
        var phase = Phase(builder.Configuration);

        var schemaManager = builder.AddProject<Projects.QueueLab_SchemaManager>(SchemaManagerName)
            .WithReference(servers.Database).WaitFor(servers.Database)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        builder.AddProject<Projects.QueueLab_Publisher>(PublisherName)
            .WithReference(servers.Messaging).WaitFor(servers.Messaging)
            .WithPrefixedSettings(section.GetSection("Publisher"), "QueueLab__Publisher__")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        var consumer = builder.AddProject<Projects.QueueLab_Consumer>(ConsumerName)
            .WithReplicas(Consumers(section))
            .WithReference(servers.Messaging).WaitFor(servers.Messaging)
            .WithReference(servers.Cache).WaitFor(servers.Cache)
            .WithReference(servers.Database).WaitFor(schemaManager)
            .WithEnvironment("QueueLab__Phase", phase.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithPrefixedSettings(section.GetSection("Consumer"), "QueueLab__Consumer__")
            .WithPrefixedSettings(section.GetSection("Queues"), "QueueLab__Rabbit__Queues__")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        if (phase == 3)
        {
            consumer.WithEtcdCoordination(servers);
            builder.AddCoordinators(servers);
        }

        return builder;
    }

    private static int Phase(IConfiguration configuration) =>
        configuration[PhaseKey] is not { } text
            ? 3
            : int.TryParse(text, out var phase) && phase is 1 or 2 or 3
                ? phase
                : throw new InvalidOperationException($"{PhaseKey} is '{text}'; use 1 (no dedup), 2 (Redis + PostgreSQL dedup) or 3 (phase 2 + etcd allocation).");

    private static int Consumers(IConfigurationSection section) =>
        section["Consumers"] is not { } text
            ? 3
            : int.TryParse(text, out var count) && count is >= 1 and <= 32
                ? count
                : throw new InvalidOperationException($"{Section}:Consumers is '{text}'; use a whole number from 1 to 32.");
}
