using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Containers;

public static class ContainerServerBuilderExtensions
{
    public static IResourceBuilder<EtcdContainerResource> AddEtcdContainer(
        this IDistributedApplicationBuilder builder, string name, int? port)
    {
        return builder.AddResource(new EtcdContainerResource(name))
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
