using Microsoft.Extensions.Configuration;

namespace QueueLab.Lab.Setup;

/// <summary>What a lab runs, read once from its configuration: which pipelines, and the shape of each.</summary>
public sealed record LabSetup(PipelineSelection Pipelines, OrderingSetup Ordering, RabbitSetup Rabbit)
{
    public static LabSetup Read(IConfiguration configuration) =>
        new(PipelineSelection.Read(configuration), OrderingSetup.Read(configuration), RabbitSetup.Read(configuration));
}
