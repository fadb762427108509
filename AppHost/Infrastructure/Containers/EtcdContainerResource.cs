using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Containers;

/// <summary>etcd in a container (there is no Aspire integration for it), with the same connection string
/// shape as the local etcd: <c>http://root:PASSWORD@host:port</c> (authentication on, see <see cref="EtcdAuthentication"/>).</summary>
public sealed class EtcdContainerResource(string name, ParameterResource password) : ContainerResource(name), IResourceWithConnectionString
{
    public const string ClientEndpointName = "client";
    public const string Image = "coreos/etcd";
    public const string Tag = "v3.5.17";
    public const string Registry = "quay.io";

    private EndpointReference? _client;

    public EndpointReference ClientEndpoint => _client ??= new(this, ClientEndpointName);

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"http://{EtcdAuthentication.RootUser}:{Password}@{ClientEndpoint.Property(EndpointProperty.Host)}:{ClientEndpoint.Property(EndpointProperty.Port)}");
}
