using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using QueueLab.AppHost.Infrastructure.Containers;
using QueueLab.AppHost.Infrastructure.Local;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>The lab's four servers, whichever way they run. Services reference these and wait for them.</summary>
public sealed record LabServers(
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Etcd)
{
    public const string MessagingName = "messaging";
    public const string CacheName = "cache";
    public const string PostgresName = "postgres";
    public const string DatabaseName = "queuelab";
    public const string EtcdName = "etcd";
}

public static class LabServerBuilderExtensions
{
    /// <summary>
    /// Adds RabbitMQ (<c>messaging</c>), Redis (<c>cache</c>), PostgreSQL (<c>postgres</c> with the database
    /// <c>queuelab</c>) and etcd (<c>etcd</c>): as containers or as local processes, as the settings decided.
    /// </summary>
    public static LabServers AddLabServers(this IDistributedApplicationBuilder builder, LabSettings settings)
    {
        LabCredentials.AddTo(builder.Configuration, settings.StateDirectory);
        var messagingUser = builder.AddParameter(LabCredentials.MessagingUser);
        var messagingPassword = builder.AddParameter(LabCredentials.MessagingPassword, secret: true);
        var cachePassword = builder.AddParameter(LabCredentials.CachePassword, secret: true);
        var postgresPassword = builder.AddParameter(LabCredentials.PostgresPassword, secret: true);
        var etcdPassword = builder.AddParameter(LabCredentials.EtcdPassword, secret: true);
        var ports = settings.Ports;

        if (settings.Mode == InfrastructureMode.Containers)
        {
            builder.AddFaultProxies(settings, []);
            var messaging = builder.AddRabbitMQ(LabServers.MessagingName, messagingUser, messagingPassword, ports.RabbitMQ)
                .WithManagementPlugin(ports.RabbitMQManagement);
            var cache = builder.AddRedis(LabServers.CacheName, ports.Redis, cachePassword).WithAppendOnlyFile();
            var postgres = builder.AddPostgres(LabServers.PostgresName, password: postgresPassword, port: ports.Postgres);
            var etcd = builder.AddEtcdContainer(LabServers.EtcdName, ports.Etcd, etcdPassword);
            if (!settings.RandomPorts)
            {
                // A `dotnet run` lab keeps its data across runs, like the local mode's state folder.
                messaging.WithDataVolume();
                cache.WithDataVolume();
                postgres.WithDataVolume();
                etcd.WithVolume("queuelab-etcd-data", "/etcd-data");
            }

            var database = postgres.AddDatabase(LabServers.DatabaseName);
            return new LabServers(AsConnectionString(messaging), AsConnectionString(cache), AsConnectionString(postgres),
                AsConnectionString(database), AsConnectionString(etcd));
        }

        var binaries = ServerBinaries.Locate(builder.Configuration);
        var localMessaging = builder.AddLocalRabbitMQ(LabServers.MessagingName, binaries, settings.StateDirectory, ports, messagingUser, messagingPassword);
        var localCache = builder.AddLocalRedis(LabServers.CacheName, binaries, settings.StateDirectory, ports.Redis, cachePassword);
        var localPostgres = builder.AddLocalPostgres(LabServers.PostgresName, binaries, settings.StateDirectory, ports.Postgres, postgresPassword);
        var localDatabase = localPostgres.AddDatabase(LabServers.DatabaseName);
        var localEtcd = builder.AddLocalEtcd(LabServers.EtcdName, binaries, settings.StateDirectory, ports, etcdPassword);
        builder.AddFaultProxies(settings, [localMessaging.Resource, localCache.Resource, localPostgres.Resource, localEtcd.Resource]);
        return new LabServers(AsConnectionString(localMessaging), AsConnectionString(localCache), AsConnectionString(localPostgres),
            AsConnectionString(localDatabase), AsConnectionString(localEtcd));
    }

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString =>
        builder.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(builder.Resource);
}
