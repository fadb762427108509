using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure;
using QueueLab.Lab;
using QueueLab.Lab.Setup;

namespace QueueLab.AppHost.Pipelines;

public static class RabbitPipeline
{
    /// <summary>
    /// Pipeline A: the schema manager (owns the PostgreSQL tables; consumers wait for it), the publisher and the
    /// consumers (<c>QueueLab:Rabbit:Consumers</c> replicas, 3 by default) in phase <c>QueueLab:Phase</c> (1, 2 or 3,
    /// 3 by default; phase 3 adds the etcd coordinators, see <see cref="CoordinationPipeline"/>). Every key under
    /// <c>QueueLab:Rabbit:Consumer</c> / <c>:Publisher</c> (for example
    /// <c>Consumer:Prefetch=200</c>) reaches the services as their <c>QueueLab:Consumer:*</c> /
    /// <c>QueueLab:Publisher:*</c> settings; <c>QueueLab:Rabbit:Queues</c> replaces the default queue list.
    /// </summary>
    public static IDistributedApplicationBuilder AddRabbitPipeline(this IDistributedApplicationBuilder builder, LabServers servers, RabbitSetup setup, LabPorts ports)
    {
        var section = builder.Configuration.GetSection(RabbitSetup.Section);
        var phase = setup.Phase;

        var schemaManager = builder.AddProject<Projects.QueueLab_SchemaManager>(ResourceNames.SchemaManager)
            .WithReference(servers.Database).WaitFor(servers.Database)
            .WithPrefixedSettings(section.GetSection("SchemaManager"), "QueueLab__SchemaManager__")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        builder.AddProject<Projects.QueueLab_Publisher>(ResourceNames.Publisher)
            .WithReference(servers.Messaging).WaitFor(servers.Messaging)
            .WithPrefixedSettings(section.GetSection("Publisher"), "QueueLab__Publisher__")
            .WithHttpEndpoint(port: ports.Publisher)
            .WithHttpHealthCheck("/health");

        var consumer = builder.AddProject<Projects.QueueLab_Consumer>(ResourceNames.Consumer)
            .WithReplicas(setup.Consumers)
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
            builder.AddCoordinators(servers, setup, ports);
        }

        return builder;
    }
}
