using Aspire.Hosting.ApplicationModel;
using Shouldly;

namespace QueueLab.AppHost.Tests;

/// <summary>A bad set-up fails at start-up, at once, with a message that says what to fix.</summary>
public sealed class StartupFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_missing_server_binary_in_local_mode_fails_fast_naming_the_package()
    {
        var started = DateTime.UtcNow;
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync(
            "QueueLab:Infrastructure=local", "QueueLab:Binaries:RedisServer=/nonexistent/redis-server"));

        var message = Flatten(error);
        message.ShouldContain("/nonexistent/redis-server");
        message.ShouldContain("apt-get install -y redis-server");
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "it fails before starting anything");
    }

    [Fact]
    public async Task An_unknown_infrastructure_mode_is_refused_with_the_choices()
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync("QueueLab:Infrastructure=kubernetes"));
        Flatten(error).ShouldContain("use one of auto, containers, local");
    }

    [Fact]
    public async Task Two_servers_on_one_port_are_refused()
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync(
            "QueueLab:Infrastructure=local", "QueueLab:Ports:Random=false", "QueueLab:Ports:Redis=15432"));
        Flatten(error).ShouldContain("gives port 15432 to Redis and Postgres");
    }

    [Fact]
    public async Task An_unknown_ordering_mode_is_refused_with_the_choices()
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync("QueueLab:Ordering:Mode=sideways"));
        Flatten(error).ShouldContain("QueueLab:Ordering:Mode is 'sideways'; use one of global, perkey");
    }

    [Theory]
    [InlineData("QueueLab:Pipelines=ordering,rabbit", "QueueLab:Ordering:Partitions=3", "Run the cluster with QueueLab:Pipelines=ordering")]
    [InlineData("QueueLab:Pipelines=ordering", "QueueLab:Ordering:Partitions=1", "set QueueLab:Ordering:Partitions=3 or more")]
    public async Task A_Redis_Cluster_is_refused_for_what_it_cannot_carry(string pipelines, string partitions, string fix)
    {
        var error = await Should.ThrowAsync<Exception>(() => ModelBuild.BuildAsync(
            ["QueueLab:Infrastructure=local", "QueueLab:Redis:Cluster=true", pipelines, partitions], Ct));
        Flatten(error).ShouldContain(fix);
    }

    [Fact]
    public async Task A_Redis_Cluster_is_three_primaries_under_the_cache_resource()
    {
        var names = await ModelBuild.InspectAsync(
            ["QueueLab:Infrastructure=local", "QueueLab:Redis:Cluster=true", "QueueLab:Pipelines=ordering", "QueueLab:Ordering:Partitions=3"],
            app => Task.FromResult(ModelBuild.Resources(app).Select(r => r.Name).ToList()), Ct);

        names.ShouldContain("cache");
        names.ShouldContain("cache-0");
        names.ShouldContain("cache-1");
        names.ShouldContain("cache-2");
    }

    [Theory]
    [InlineData("QueueLab:Topology=ring", "QueueLab:Topology is 'ring'; use single or cluster")]
    [InlineData("QueueLab:Topology=cluster;QueueLab:Redis:Cluster=true;QueueLab:Pipelines=ordering;QueueLab:Ordering:Partitions=3",
        "two different ways to run Redis on three nodes")]
    [InlineData("QueueLab:Topology=cluster;QueueLab:Ports:Random=false;QueueLab:Ports:Etcd=15070;QueueLab:Ports:Coordinator=15080",
        "port 15080 goes to Coordinator and etcd-1 client")]
    [InlineData("QueueLab:Topology=cluster;QueueLab:Ports:Random=false;QueueLab:Ports:Redis=14432;QueueLab:Ports:Postgres=15432",
        "port 15432 goes to Postgres and cache-sentinel-0")]
    public async Task A_cluster_topology_is_refused_for_what_it_cannot_run(string settings, string fix)
    {
        var error = await Should.ThrowAsync<Exception>(() => BuildAsync(["QueueLab:Infrastructure=local", .. settings.Split(';')]));
        Flatten(error).ShouldContain(fix);
    }

    [Fact]
    public async Task The_cluster_topology_runs_etcd_as_three_members_under_the_etcd_resource()
    {
        var model = await ModelBuild.InspectAsync(["QueueLab:Infrastructure=local", "QueueLab:Topology=cluster", "QueueLab:Pipelines=none"],
            async app =>
            {
                var resources = ModelBuild.Resources(app);
                var etcd = resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == ResourceNames.Etcd);
                var members = resources.Where(r => r.Name.StartsWith("etcd-", StringComparison.Ordinal)).ToList();
                return (Names: resources.Select(r => r.Name).ToList(), ConnectionString: await etcd.GetConnectionStringAsync(Ct),
                    Commands: members.ToDictionary(r => r.Name, r => r.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList()),
                    Proxies: Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<QueueLab.Lab.Network.FaultProxies>(app.Services).All.Select(p => (p.Name, p.ListenPort, p.TargetPort)).ToList());
            }, Ct);

        model.Names.ShouldContain("etcd-0");
        model.Names.ShouldContain("etcd-1");
        model.Names.ShouldContain("etcd-2");
        foreach (var member in (string[])["etcd-0", "etcd-1", "etcd-2"])
        {
            model.Commands[member].ShouldContain("isolate", $"{member} can be cut off from the other members (the lab's peer proxies)");
            model.Commands[member].ShouldContain("heal");
            var proxy = model.Proxies.Single(p => p.Name == $"{member} peers");
            proxy.TargetPort.ShouldNotBe(proxy.ListenPort, "the member advertises the proxy's port and listens for its peers behind it");
        }

        var connection = QueueLab.Coordination.EtcdConnection.Parse(model.ConnectionString!);
        connection.Endpoints.Count.ShouldBe(3, "services are given every member");
        connection.Endpoints.Select(e => e.Host).ShouldAllBe(h => h == "127.0.0.1");
        connection.UserName.ShouldBe("root");
    }

    [Fact]
    public async Task The_cluster_topology_runs_Redis_as_a_primary_two_replicas_and_three_Sentinels_under_the_cache_resource()
    {
        var model = await ModelBuild.InspectAsync(["QueueLab:Infrastructure=local", "QueueLab:Topology=cluster", "QueueLab:Pipelines=ordering"],
            async app =>
            {
                var resources = ModelBuild.Resources(app);
                var cache = resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == ResourceNames.Cache);
                return (Names: resources.Select(r => r.Name).ToList(), ConnectionString: await cache.GetConnectionStringAsync(Ct),
                    Commands: resources.ToDictionary(r => r.Name, r => r.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList()));
            }, Ct);

        foreach (var node in (string[])["cache-0", "cache-1", "cache-2", "cache-sentinel-0", "cache-sentinel-1", "cache-sentinel-2"])
        {
            model.Names.ShouldContain(node);
        }

        foreach (var node in (string[])["cache-0", "cache-1", "cache-2"])
        {
            model.Commands[node].ShouldContain("isolate", $"{node} can be cut off from its peers (the peers' own user switched off on it)");
            model.Commands[node].ShouldContain("heal");
        }

        model.Commands["cache-sentinel-0"].ShouldNotContain("isolate", "a Sentinel is not a data node: Freeze or Crash it instead");

        var options = StackExchange.Redis.ConfigurationOptions.Parse(model.ConnectionString!);
        options.ServiceName.ShouldBe("queuelab", "services ask the Sentinels for the primary by this name and follow its failovers");
        options.EndPoints.Count.ShouldBe(3, "services are given every Sentinel");
        options.EndPoints.Select(e => e.ToString()).ShouldAllBe(e => e!.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        options.Password.ShouldNotBeNullOrEmpty();
    }

    /// <summary>A state folder a Redis Cluster lab wrote (cache-0/nodes.conf) is refused by a Sentinel lab, and the other way round:
    /// the two use the same folder names for different data.</summary>
    [Fact]
    public async Task Redis_with_Sentinels_and_a_Redis_Cluster_refuse_each_others_state_folder()
    {
        var state = Directory.CreateTempSubdirectory("queuelab-state-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(state, "cache-0"));
            await File.WriteAllTextAsync(Path.Combine(state, "cache-0", "nodes.conf"), "", Ct);
            var error = await Should.ThrowAsync<Exception>(() => BuildAsync(["QueueLab:Infrastructure=local", "QueueLab:Topology=cluster", $"QueueLab:StateDir={state}"]));
            Flatten(error).ShouldContain("holds a Redis Cluster's data");

            File.Delete(Path.Combine(state, "cache-0", "nodes.conf"));
            Directory.CreateDirectory(Path.Combine(state, "cache-sentinel-0"));
            error = await Should.ThrowAsync<Exception>(() => ModelBuild.BuildAsync(["QueueLab:Infrastructure=local", "QueueLab:Redis:Cluster=true",
                "QueueLab:Pipelines=ordering", "QueueLab:Ordering:Partitions=3", $"QueueLab:StateDir={state}"], Ct));
            Flatten(error).ShouldContain("holds the data of Redis with Sentinels");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Theory]
    [InlineData("port 17379\nsentinel monitor queuelab 127.0.0.1 16389 2\nsentinel current-epoch 3\n", 16389, 3L)]
    [InlineData("sentinel myid abc\nsentinel monitor queuelab 127.0.0.1 16379 2\n", 16379, 0L)]
    public void A_Sentinels_file_names_the_primary_and_the_epoch_of_its_last_failover(string text, int port, long epoch) =>
        QueueLab.AppHost.Infrastructure.Local.SentinelFile.Read(text).ShouldBe(new(port, epoch));

    [Fact]
    public void A_Sentinels_file_without_a_monitor_line_names_no_primary() =>
        QueueLab.AppHost.Infrastructure.Local.SentinelFile.Read("port 17379\nsentinel monitor other 127.0.0.1 1 2\n").ShouldBeNull();

    private static Task BuildAsync(params string[] args) => ModelBuild.BuildAsync(["QueueLab:Pipelines=none", .. args], Ct);

    private static string Flatten(Exception error) => ModelBuild.Messages(error);
}
