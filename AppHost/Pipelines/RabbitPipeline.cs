using QueueLab.AppHost.Infrastructure;

namespace QueueLab.AppHost.Pipelines;

public static class RabbitPipeline
{
    /// <summary>Pipeline A: publisher, consumers (phase 1/2/3) and coordinators on RabbitMQ, Redis, PostgreSQL, etcd.</summary>
    public static IDistributedApplicationBuilder AddRabbitPipeline(this IDistributedApplicationBuilder builder, LabServers servers)
    {
        _ = servers;
        return builder;
    }
}
