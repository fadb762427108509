using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Containers;

/// <summary>etcd in a container (there is no Aspire integration for it), with the same connection string
/// shape as the local etcd: <c>http://host:port</c>.</summary>
public sealed class EtcdContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string ClientEndpointName = "client";
    public const string Image = "coreos/etcd";
    public const string Tag = "v3.5.17";
    public const string Registry = "quay.io";

    private EndpointReference? _client;

    public EndpointReference ClientEndpoint => _client ??= new(this, ClientEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"http://{ClientEndpoint.Property(EndpointProperty.Host)}:{ClientEndpoint.Property(EndpointProperty.Port)}");
}
