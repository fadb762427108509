using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QueueLab.AppHost.Infrastructure;

public static class LabSummaryExtensions
{
    /// <summary>Logs, once the model is built, where each server listens and where the lab keeps its state,
    /// so a user can reach every server with its own client.</summary>
    public static IDistributedApplicationBuilder AddLabSummary(this IDistributedApplicationBuilder builder, LabSettings settings)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab");
            var p = settings.Ports;
            logger.LogInformation(
                "QueueLab lab: servers as {Mode}; RabbitMQ amqp://127.0.0.1:{Amqp} (management http://127.0.0.1:{Management}), " +
                "Redis 127.0.0.1:{Redis}, PostgreSQL 127.0.0.1:{Postgres} (database queuelab), etcd http://127.0.0.1:{Etcd} (user root); " +
                "state and generated credentials in {State}",
                settings.Mode == InfrastructureMode.Containers ? "containers" : "local processes",
                p.RabbitMQ, p.RabbitMQManagement, p.Redis, p.Postgres, p.Etcd, settings.StateDirectory);
            return Task.CompletedTask;
        });
        return builder;
    }
}
