using dotnet_etcd;
using QueueLab.Testing;

namespace QueueLab.Coordination.Tests;

/// <summary>The lab's servers alone (<c>QueueLab:Pipelines=none</c>); the tests use its real etcd, each under its own key root.</summary>
public sealed class EtcdFixture : LabFixture
{
    private EtcdClient? _client;

    protected override IEnumerable<string> Arguments => ["QueueLab:Pipelines=none"];

    protected override IEnumerable<string> ResourcesToAwait => [ResourceNames.Etcd];

    public string ConnectionString { get; private set; } = "";

    public EtcdClient Client => _client ?? throw new InvalidOperationException("Not started.");

    protected override async ValueTask StartedAsync()
    {
        ConnectionString = await GetConnectionStringAsync(ResourceNames.Etcd);
        _client = EtcdConnection.Parse(ConnectionString).CreateClient();
    }

    /// <summary>Coordination services on this etcd under a key root of their own.</summary>
    public CoordinationHost Services(string root, int leaseTtlSeconds = 2) => CoordinationHost.Create(ConnectionString, root, leaseTtlSeconds);

    public static string NewRoot(string test) => $"/test-{test}-{Guid.NewGuid():N}"[..40] + "/";

    public override async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>
{
    public const string Name = "etcd";
}
