using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QueueLab.AppHost.Infrastructure;

public static class LabSummaryExtensions
{
    /// <summary>Logs, once the model is built, where each server listens and where the lab keeps its state,
    /// so a user can reach every server with its own client.</summary>
    public static IDistributedApplicationBuilder AddLabSummary(this IDistributedApplicationBuilder builder, LabSettings settings, QueueLab.Lab.Setup.LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(setup);
        var p = settings.Ports;
        var servers = new List<string>();
        if (setup.Runs(QueueLab.Lab.ResourceNames.Messaging))
        {
            servers.Add(settings.Topology != ServerTopology.Cluster ? $"RabbitMQ amqp://127.0.0.1:{p.RabbitMQ} (management http://127.0.0.1:{p.RabbitMQManagement})"
                : settings.RandomPorts ? "RabbitMQ as three nodes (their ports are on the dashboard)"
                : $"RabbitMQ as three nodes, {string.Join(", ", p.RabbitMQNodes(random: false).Select(n => $"amqp://127.0.0.1:{n.Amqp} (management http://127.0.0.1:{n.Management})"))}");
        }

        servers.Add(settings.RedisCluster ? "a Redis Cluster (its nodes' ports are on the dashboard)"
            : settings.Topology != ServerTopology.Cluster ? $"Redis 127.0.0.1:{p.Redis}"
            : settings.RandomPorts ? "Redis as a primary, two replicas and three Sentinels (their ports are on the dashboard)"
            : $"Redis as a primary, two replicas and three Sentinels ({string.Join(", ", p.RedisSentinelNodes(random: false).Sentinels.Select(s => $"127.0.0.1:{s}"))}; "
                + $"redis-cli -p {p.RedisSentinelNodes(random: false).Sentinels[0]} SENTINEL get-master-addr-by-name queuelab names the primary)");
        if (setup.Runs(QueueLab.Lab.ResourceNames.Postgres))
        {
            servers.Add($"PostgreSQL 127.0.0.1:{p.Postgres} (database queuelab)");
        }

        if (setup.Runs(QueueLab.Lab.ResourceNames.Etcd))
        {
            servers.Add(settings.Topology != ServerTopology.Cluster ? $"etcd http://127.0.0.1:{p.Etcd} (user root)"
                : settings.RandomPorts ? "etcd as three members (their ports are on the dashboard; user root)"
                : $"etcd as three members, {string.Join(", ", p.EtcdMembers(random: false).Select(m => $"http://127.0.0.1:{m.Client}"))} (user root)");
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab");
            logger.LogInformation("QueueLab lab: servers as {Mode}; {Servers}; state and generated credentials in {State}",
                settings.Mode == InfrastructureMode.Containers ? "containers" : "local processes", string.Join(", ", servers), settings.StateDirectory);
            return Task.CompletedTask;
        });
        return builder;
    }
}
