using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using QueueLab.AppHost.Infrastructure.Containers;
using QueueLab.AppHost.Infrastructure.Local;
using QueueLab.Lab;
using QueueLab.Lab.Resources;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// The lab's servers, whichever way they run. Services reference these and wait for them. A lab starts only the servers
/// its pipelines use (<see cref="QueueLab.Lab.Setup.LabSetup.Servers"/>): asking for one it did not start is a bug in the
/// AppHost's model, and says which.
/// </summary>
public sealed class LabServers(
    IResourceBuilder<IResourceWithConnectionString> cache,
    IResourceBuilder<IResourceWithConnectionString>? messaging,
    IResourceBuilder<IResourceWithConnectionString>? postgres,
    IResourceBuilder<IResourceWithConnectionString>? database,
    IResourceBuilder<IResourceWithConnectionString>? etcd)
{
    public IResourceBuilder<IResourceWithConnectionString> Cache => cache;

    public IResourceBuilder<IResourceWithConnectionString> Messaging => messaging ?? throw NotStarted(ResourceNames.Messaging);

    public IResourceBuilder<IResourceWithConnectionString> Postgres => postgres ?? throw NotStarted(ResourceNames.Postgres);

    public IResourceBuilder<IResourceWithConnectionString> Database => database ?? throw NotStarted(ResourceNames.Database);

    public IResourceBuilder<IResourceWithConnectionString> Etcd => etcd ?? throw NotStarted(ResourceNames.Etcd);

    private static InvalidOperationException NotStarted(string name) =>
        new($"This lab does not start '{name}': no pipeline it runs uses it (QueueLab.Lab.Setup.LabSetup.Servers decides which servers start).");
}

public static class LabServerBuilderExtensions
{
    /// <summary>
    /// Adds RabbitMQ (<c>messaging</c>), Redis (<c>cache</c>), PostgreSQL (<c>postgres</c> with the database
    /// <c>queuelab</c>) and etcd (<c>etcd</c>): as containers or as local processes, as the settings decided.
    /// </summary>
    /// <remarks>With <c>QueueLab:Redis:Cluster=true</c>, <c>cache</c> is a local Redis Cluster of three primaries
    /// (<see cref="LocalRedisClusterExtensions.AddLocalRedisCluster"/>), its slots shared out for pipeline B's partitions;
    /// no fault proxy can stand in front of it (a cluster's redirects name the nodes themselves). With
    /// <c>QueueLab:Topology=cluster</c> it is a primary with two replicas and three Sentinels
    /// (<see cref="LocalRedisSentinelExtensions.AddLocalRedisSentinel"/>), again with no proxy (the Sentinels name the nodes).</remarks>
    public static LabServers AddLabServers(this IDistributedApplicationBuilder builder, LabSettings settings, QueueLab.Lab.Setup.LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(setup);
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
            // A `dotnet run` lab keeps its data across runs (volumes), like the local mode's state folder.
            var keep = !settings.RandomPorts;
            var messaging = !setup.Runs(ResourceNames.Messaging) ? null
                : builder.AddRabbitMQ(ResourceNames.Messaging, messagingUser, messagingPassword, ports.RabbitMQ)
                    .WithManagementPlugin(ports.RabbitMQManagement).WithServerKind(ServerKind.RabbitMQ);
            var cache = builder.AddRedis(ResourceNames.Cache, ports.Redis, cachePassword).WithAppendOnlyFile().WithServerKind(ServerKind.Redis);
            var postgres = !setup.Runs(ResourceNames.Postgres) ? null
                : builder.AddPostgres(ResourceNames.Postgres, password: postgresPassword, port: ports.Postgres)
                    .WithArgs("-c", "track_commit_timestamp=on").WithServerKind(ServerKind.Postgres);
            var etcd = !setup.Runs(ResourceNames.Etcd) ? null
                : builder.AddEtcdContainer(ResourceNames.Etcd, ports.Etcd, etcdPassword).WithServerKind(ServerKind.Etcd);
            if (keep)
            {
                messaging?.WithDataVolume();
                cache.WithDataVolume();
                postgres?.WithDataVolume();
                etcd?.WithVolume("queuelab-etcd-data", "/etcd-data");
            }

            var database = postgres?.AddDatabase(ResourceNames.Database);
            return new LabServers(AsConnectionString(cache), AsConnectionString(messaging), AsConnectionString(postgres),
                AsConnectionString(database), AsConnectionString(etcd));
        }

        var binaries = ServerBinaries.Locate(builder.Configuration);
        IResourceBuilder<LocalRabbitMQResource>? localMessaging = null;
        IResourceBuilder<IResourceWithConnectionString>? messagingCluster = null;
        if (setup.Runs(ResourceNames.Messaging) && settings.Topology == ServerTopology.Cluster)
        {
            messagingCluster = AsConnectionString(builder.AddLocalRabbitMQCluster(ResourceNames.Messaging, binaries, settings.StateDirectory, settings.RandomPorts,
                ports, messagingUser, messagingPassword).WithServerKind(ServerKind.RabbitMQ));
        }
        else if (setup.Runs(ResourceNames.Messaging))
        {
            localMessaging = builder.AddLocalRabbitMQ(ResourceNames.Messaging, binaries, settings.StateDirectory, ports, messagingUser, messagingPassword)
                .WithServerKind(ServerKind.RabbitMQ);
        }

        IResourceBuilder<IResourceWithConnectionString> localCache;
        LocalServerResource[] proxied;
        if (settings.Topology == ServerTopology.Cluster)
        {
            localCache = AsConnectionString(builder.AddLocalRedisSentinel(ResourceNames.Cache, binaries, settings.StateDirectory, settings.RandomPorts,
                ports, cachePassword).WithServerKind(ServerKind.Redis));
            proxied = [];
        }
        else if (settings.RedisCluster)
        {
            localCache = AsConnectionString(builder.AddLocalRedisCluster(ResourceNames.Cache, binaries, settings.StateDirectory, settings.RandomPorts,
                ports.Redis, cachePassword, setup.Ordering.Partitions).WithServerKind(ServerKind.Redis));
            proxied = [];
        }
        else
        {
            var single = builder.AddLocalRedis(ResourceNames.Cache, binaries, settings.StateDirectory, ports.Redis, cachePassword).WithServerKind(ServerKind.Redis);
            localCache = AsConnectionString(single);
            proxied = [single.Resource];
        }

        var localPostgres = !setup.Runs(ResourceNames.Postgres) ? null
            : builder.AddLocalPostgres(ResourceNames.Postgres, binaries, settings.StateDirectory, ports.Postgres, postgresPassword)
                .WithServerKind(ServerKind.Postgres);
        var localDatabase = localPostgres?.AddDatabase(ResourceNames.Database);
        IResourceBuilder<IResourceWithConnectionString>? localEtcd = null;
        LocalServerResource[] etcdNodes = [];
        IReadOnlyList<(string Member, int Advertised, int Listening)> peerLinks = [];
        if (setup.Runs(ResourceNames.Etcd) && settings.Topology == ServerTopology.Cluster)
        {
            var etcdCluster = builder.AddLocalEtcdCluster(ResourceNames.Etcd, binaries, settings.StateDirectory, settings.RandomPorts, ports, etcdPassword)
                .WithServerKind(ServerKind.Etcd);
            localEtcd = AsConnectionString(etcdCluster);
            etcdNodes = [.. etcdCluster.Resource.Members];
            peerLinks = etcdCluster.Resource.PeerLinks;
        }
        else if (setup.Runs(ResourceNames.Etcd))
        {
            var single = builder.AddLocalEtcd(ResourceNames.Etcd, binaries, settings.StateDirectory, ports, etcdPassword).WithServerKind(ServerKind.Etcd);
            localEtcd = AsConnectionString(single);
            etcdNodes = [single.Resource];
        }

        LocalServerResource?[] started = [localMessaging?.Resource, .. proxied, localPostgres?.Resource, .. etcdNodes];
        builder.AddFaultProxies(settings, [.. started.OfType<LocalServerResource>()], peerLinks);
        return new LabServers(localCache, messagingCluster ?? AsConnectionString(localMessaging), AsConnectionString(localPostgres),
            AsConnectionString(localDatabase), localEtcd);
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(builder))]
    private static IResourceBuilder<IResourceWithConnectionString>? AsConnectionString<T>(IResourceBuilder<T>? builder)
        where T : IResourceWithConnectionString =>
        builder?.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(builder.Resource);
}
