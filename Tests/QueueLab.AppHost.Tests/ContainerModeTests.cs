using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// The container mode's model, built but not started (no container runtime runs here): the Aspire hosting
/// integrations for RabbitMQ, Redis (with its append-only file on) and PostgreSQL, an etcd container on a pinned tag
/// whose clients get its root credentials, and no local server.
/// </summary>
public sealed class ContainerModeTests
{
    [Fact]
    public async Task Containers_mode_uses_the_hosting_integrations_and_a_pinned_etcd_image()
    {
        var ct = TestContext.Current.CancellationToken;
        await ModelBuild.InspectAsync(["QueueLab:Infrastructure=containers", "QueueLab:Pipelines=none"], async app =>
        {
            var resources = ModelBuild.Resources(app);

            resources.Single(r => r.Name == ResourceNames.Messaging).ShouldBeOfType<RabbitMQServerResource>();
            var cache = resources.Single(r => r.Name == ResourceNames.Cache).ShouldBeOfType<RedisResource>();
            var redisCommand = string.Join(' ', await ArgumentsAsync(app, cache, ct));
            redisCommand.ShouldContain("redis-server");
            redisCommand.ShouldContain("--appendonly yes", Case.Sensitive, "Redis logs every write, as in local mode, not only periodic snapshots");
            redisCommand.ShouldContain("--appendfsync everysec");
            resources.Single(r => r.Name == ResourceNames.Postgres).ShouldBeOfType<PostgresServerResource>();
            resources.Single(r => r.Name == ResourceNames.Database).ShouldBeOfType<PostgresDatabaseResource>();

            var etcd = resources.Single(r => r.Name == ResourceNames.Etcd).ShouldBeAssignableTo<ContainerResource>()!;
            var etcdConnection = etcd.ShouldBeAssignableTo<IResourceWithConnectionString>()!.ConnectionStringExpression;
            etcdConnection.Format.ShouldStartWith("http://root:{0}@", Case.Sensitive, "clients get etcd's root user and password");
            etcdConnection.ValueProviders[0].ShouldBeOfType<ParameterResource>().Name.ShouldBe("etcd-password");
            etcd.Annotations.OfType<HealthCheckAnnotation>().ShouldContain(h => h.Key == "etcd_check",
            "the health check turns etcd's authentication on (the image has no setting for it)");
            var image = etcd.Annotations.OfType<ContainerImageAnnotation>().Single();
            image.Tag.ShouldNotBeNullOrEmpty();
            image.Tag.ShouldNotBe("latest");

            resources.OfType<ExecutableResource>().ShouldBeEmpty("no local server process exists in containers mode");

            return true;
        }, ct);
    }

    /// <summary>The command-line arguments the app would start a resource with.</summary>
    private static async Task<IEnumerable<string>> ArgumentsAsync(DistributedApplication app, IResource resource, CancellationToken cancellationToken)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource).WithArgumentsConfig()
            .BuildAsync(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(), cancellationToken: cancellationToken);
        return configuration.Arguments.Select(a => a.Value);
    }
}
