using QueueLab.Lab.Processes;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using dotnet_etcd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QueueLab.Testing;
using RabbitMQ.Client;

namespace QueueLab.Coordination.Tests;

/// <summary>
/// Pipeline A in phase 3 through the AppHost: 6 consumers registered in etcd, 2 coordinators (one leader), the seed's
/// queues 4,1,1, a 3 s lease TTL; plus clients of etcd and RabbitMQ for the tests' own checks.
/// </summary>
public sealed class Phase3Fixture : LabFixture
{
    public const int Consumers = 6;
    public const int LeaseTtlSeconds = 3;

    private EtcdClient? _etcd;
    private IConnection? _rabbit;
    private CoordinationHost? _services;

    protected override IEnumerable<string> Arguments =>
    [
        "QueueLab:Pipelines=rabbit",
        "QueueLab:Phase=3",
        $"QueueLab:Rabbit:Consumers={Consumers}",
        $"QueueLab:Coordination:LeaseTtl=00:00:0{LeaseTtlSeconds}",
        "QueueLab:Coordination:ReconcileInterval=00:00:02",
    ];

    protected override IEnumerable<string> ResourcesToAwait => [ResourceNames.Etcd, ResourceNames.Messaging, ResourceNames.Coordinator, ResourceNames.Consumer];

    public EtcdClient Etcd => _etcd ?? throw new InvalidOperationException("Not started.");

    public IConnection Rabbit => _rabbit ?? throw new InvalidOperationException("Not started.");

    /// <summary>Coordination services on the lab's etcd under the real key root <c>/queuelab/</c>.</summary>
    public CoordinationHost Services => _services ?? throw new InvalidOperationException("Not started.");

    public HttpClient Coordinator { get; private set; } = null!;

    protected override async ValueTask StartedAsync()
    {
        var etcd = await GetConnectionStringAsync(ResourceNames.Etcd);
        _etcd = EtcdConnection.Parse(etcd).CreateClient();
        _services = CoordinationHost.Create(etcd, CoordinationKeys.DefaultRoot, LeaseTtlSeconds);
        _rabbit = await new ConnectionFactory { Uri = new Uri(await GetConnectionStringAsync(ResourceNames.Messaging)) }.CreateConnectionAsync();
        Coordinator = App.CreateHttpClient(ResourceNames.Coordinator);
    }

    /// <summary>The Aspire instance id of the replica whose app process is <paramref name="pid"/>.</summary>
    public string InstanceOf(string resource, int pid) =>
        Resources.Replicas(resource).Single(r => r.ProcessId is { } launcher && ProcessTree.Of(launcher).Contains(pid)).InstanceId;

    /// <summary>The process id a registered consumer or the leader wrote into its etcd key.</summary>
    public async Task<int> ProcessIdAtAsync(string key)
    {
        var value = await Etcd.GetValAsync(key);
        return JsonSerializer.Deserialize<MemberDocument>(value, CoordinationJson.Default.Options)!.ProcessId;
    }

    public Task<ExecuteCommandResult> ExecuteAsync(string instanceId, string command, CancellationToken cancellationToken) =>
        App.ResourceCommands.ExecuteCommandAsync(instanceId, command, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        Coordinator?.Dispose();
        if (_rabbit is not null)
        {
            await _rabbit.DisposeAsync();
        }

        _services?.Dispose();
        _etcd?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class Phase3Collection : ICollectionFixture<Phase3Fixture>
{
    public const string Name = "pipeline A phase 3";
}
