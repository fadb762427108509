using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure;
using QueueLab.Lab;
using QueueLab.Lab.Setup;

namespace QueueLab.AppHost.Pipelines;

/// <summary>
/// Pipeline A, phase 3: etcd coordination. The coordinator (<c>QueueLab:Rabbit:Coordinators</c> replicas, 2 by
/// default: one elected leader, the others standing by) seeds the queue configuration from
/// <c>QueueLab:Rabbit:Queues</c> and writes every consumer's assignment; consumers register under a lease and take
/// their queues from etcd. Every key under <c>QueueLab:Coordination</c> (for example <c>LeaseTtl=00:00:03</c>)
/// reaches both as their <c>QueueLab:Coordination:*</c> settings.
/// </summary>
public static class CoordinationPipeline
{
    public const string Section = "QueueLab:Coordination";

    public static IResourceBuilder<ProjectResource> AddCoordinators(this IDistributedApplicationBuilder builder, LabServers servers, RabbitSetup setup, LabPorts ports)
    {
        var rabbit = builder.Configuration.GetSection(RabbitSetup.Section);
        return builder.AddProject<Projects.QueueLab_Coordinator>(ResourceNames.Coordinator)
            .WithReplicas(setup.Coordinators)
            .WithReference(servers.Etcd).WaitFor(servers.Etcd)
            .WithCoordinationSettings(builder.Configuration)
            .WithPrefixedSettings(rabbit.GetSection("Queues"), "QueueLab__Rabbit__Queues__")
            // One port for every replica (Aspire's proxy spreads the calls): any coordinator answers and forwards.
            .WithHttpEndpoint(port: ports.Coordinator)
            .WithHttpHealthCheck("/health");
    }

    /// <summary>Makes a consumer take its queues from etcd: the etcd connection and the coordination settings.</summary>
    public static IResourceBuilder<ProjectResource> WithEtcdCoordination(this IResourceBuilder<ProjectResource> consumer, LabServers servers) =>
        consumer.WithReference(servers.Etcd).WaitFor(servers.Etcd)
            .WithCoordinationSettings(consumer.ApplicationBuilder.Configuration);

    private static IResourceBuilder<ProjectResource> WithCoordinationSettings(this IResourceBuilder<ProjectResource> project, IConfiguration configuration) =>
        project.WithPrefixedSettings(configuration.GetSection(Section), "QueueLab__Coordination__");
}
