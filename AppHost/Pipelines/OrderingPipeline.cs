using QueueLab.AppHost.Infrastructure;

namespace QueueLab.AppHost.Pipelines;

public static class OrderingPipeline
{
    /// <summary>Pipeline B: processors (active-active) and sequencers (leader + standby) on Redis.</summary>
    public static IDistributedApplicationBuilder AddOrderingPipeline(this IDistributedApplicationBuilder builder, LabServers servers)
    {
        _ = servers;
        return builder;
    }
}
