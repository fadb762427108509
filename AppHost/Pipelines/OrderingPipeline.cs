using System.Globalization;
using Microsoft.Extensions.Configuration;
using QueueLab.AppHost.Infrastructure;
using QueueLab.Lab;
using QueueLab.Lab.Setup;
using QueueLab.Ordering.Options;

namespace QueueLab.AppHost.Pipelines;

public static class OrderingPipeline
{
    /// <summary>
    /// Pipeline B: processors (active-active, <c>QueueLab:Ordering:Processors</c> replicas, 3 by default) and
    /// sequencers (leader + hot standby, <c>QueueLab:Ordering:Sequencers</c>, 2 by default) on Redis. Every key
    /// under <c>QueueLab:Ordering:Processor</c> / <c>:Sequencer</c> (for example <c>Processor:MaxInFlight=8</c>,
    /// <c>Processor:WorkTime=00:00:00.5</c>) reaches the services as their <c>Ordering:Processor:*</c> /
    /// <c>Ordering:Sequencer:*</c> settings. <c>QueueLab:Ordering:Partitions</c> and <c>QueueLab:Ordering:Mode</c> reach both as
    /// their <c>Partitions</c> and <c>Mode</c>, so they always agree.
    /// </summary>
    public static IDistributedApplicationBuilder AddOrderingPipeline(this IDistributedApplicationBuilder builder, LabServers servers, OrderingSetup setup)
    {
        var section = builder.Configuration.GetSection(OrderingSetup.Section);

        var processor = builder.AddProject<Projects.QueueLab_Processor>(ResourceNames.Processor)
            .WithReplicas(setup.Processors)
            .WithReference(servers.Cache).WaitFor(servers.Cache)
            .WithPrefixedSettings(section.GetSection("Processor"), "Ordering__Processor__")
            .WithEnvironment("Ordering__Processor__Partitions", setup.Partitions.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Ordering__Processor__Mode", setup.Mode.ToString())
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        if (setup.SystemOfRecord == SystemOfRecordKind.Postgres)
        {
            processor.WithReference(servers.Database).WaitFor(servers.Database);
        }

        builder.AddProject<Projects.QueueLab_Sequencer>(ResourceNames.Sequencer)
            .WithReplicas(setup.Sequencers)
            .WithReference(servers.Cache).WaitFor(servers.Cache)
            .WithPrefixedSettings(section.GetSection("Sequencer"), "Ordering__Sequencer__")
            .WithEnvironment("Ordering__Sequencer__Partitions", setup.Partitions.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Ordering__Sequencer__Mode", setup.Mode.ToString())
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health");

        return builder;
    }
}
