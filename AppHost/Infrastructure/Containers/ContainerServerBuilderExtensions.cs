using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Containers;

public static class ContainerServerBuilderExtensions
{
    private static readonly string[] AppendOnly = ["--appendonly", "yes", "--appendfsync", "everysec"];

    /// <summary>
    /// Redis logs every write to its append-only file (fsync every second), as the local-mode Redis does: the hosting
    /// integration alone keeps periodic snapshots at most, so a kill -9 could lose acknowledged input.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithAppendOnlyFile(this IResourceBuilder<RedisResource> redis) =>
        redis.WithArgs(context =>
        {
            // The integration runs `/bin/sh -c "redis-server ..."` (one command line, when publishing) or hands
            // redis-server's arguments over one by one: the flags join whichever it is.
            var command = context.Args.IndexOf("-c") + 1;
            if (command > 0 && command < context.Args.Count && context.Args[command] is string line)
            {
                context.Args[command] = $"{line} {string.Join(' ', AppendOnly)}";
            }
            else
            {
                foreach (var arg in AppendOnly)
                {
                    context.Args.Add(arg);
                }
            }
        });

    /// <summary>etcd from its own image. The image has no setting that turns authentication on at start: the health
    /// check does it, as for the local etcd (<see cref="EtcdAuthentication"/>).</summary>
    public static IResourceBuilder<EtcdContainerResource> AddEtcdContainer(
        this IDistributedApplicationBuilder builder, string name, int? port, IResourceBuilder<ParameterResource> rootPassword)
    {
        return builder.AddResource(new EtcdContainerResource(name, rootPassword.Resource))
            .WithImage(EtcdContainerResource.Image, EtcdContainerResource.Tag)
            .WithImageRegistry(EtcdContainerResource.Registry)
            .WithEntrypoint("/usr/local/bin/etcd")
            .WithHttpEndpoint(port: port, targetPort: 2379, name: EtcdContainerResource.ClientEndpointName)
            .WithArgs(
                "--name", "queuelab",
                "--data-dir", "/etcd-data",
                "--listen-client-urls", "http://0.0.0.0:2379",
                "--advertise-client-urls", "http://127.0.0.1:2379",
                "--listen-peer-urls", "http://0.0.0.0:2380",
                "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "queuelab=http://127.0.0.1:2380")
            .WithProbe(ServerProbes.EtcdAsync);
    }
}
