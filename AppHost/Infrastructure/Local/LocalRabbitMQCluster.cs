using System.Globalization;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// RabbitMQ as a cluster of three nodes (<c>QueueLab:Topology=cluster</c>): the resource services reference (same name and
/// connection string name as the single server), whose connection string is node 0's AMQP URI with every node listed,
/// <c>amqp://user:password@127.0.0.1:15673/?endpoints=127.0.0.1:15673,127.0.0.1:15683,127.0.0.1:15693</c>
/// (<c>QueueLab.Rabbit.RabbitConnections.For</c> connects, and recovers, to any of them), with the nodes as child resources.
/// Quorum queues get a member on each of the three nodes (RabbitMQ's default group size, 3, over a cluster of three).
/// </summary>
public sealed class LocalRabbitMQClusterResource(string name, IReadOnlyList<LocalRabbitMQResource> nodes, ParameterResource userName, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    public IReadOnlyList<LocalRabbitMQResource> Nodes { get; } = nodes;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            builder.AppendLiteral("amqp://");
            builder.Append($"{userName}");
            builder.AppendLiteral(":");
            builder.Append($"{password}");
            builder.AppendLiteral($"@{LocalServerResource.Host}:{Nodes[0].ClientPort.ToString(CultureInfo.InvariantCulture)}/?endpoints="
                + string.Join(',', Nodes.Select(n => $"{LocalServerResource.Host}:{n.ClientPort.ToString(CultureInfo.InvariantCulture)}")));
            return builder.Build();
        }
    }
}

public static class LocalRabbitMQClusterExtensions
{
    public const int Nodes = 3;

    /// <summary>
    /// Three <c>rabbitmq-server</c> nodes (<c>{name}-0..2</c>, Erlang nodes <c>queuelab-{id}-{i}@localhost</c>) registered with one
    /// epmd run by the lab, each with its own data folder and AMQP, management and distribution ports on 127.0.0.1, sharing an
    /// Erlang cookie the lab makes once (owner-only). They find each other by the list of node names in their configuration
    /// (RabbitMQ's <c>classic_config</c> peer discovery) and are always started together: a blank node that finds no peer
    /// within its retries starts alone and the next one joins it; a node with data waits for its peers. A node cut off from
    /// the other two pauses (<c>pause_minority</c>), and a lost peer is noticed within 10 s (<c>net_ticktime</c>). The resource
    /// runs once every node does and each sees three running members.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQClusterResource> AddLocalRabbitMQCluster(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, bool randomPorts, LabPorts ports,
        IResourceBuilder<ParameterResource> userName, IResourceBuilder<ParameterResource> password)
    {
        var clusterDirectory = LocalServerBuilderExtensions.CreateDirectory(stateDirectory, $"{name}-cluster");
        var home = CookieHome(clusterDirectory);
        var epmd = builder.AddEpmd($"{name}-epmd", binaries, clusterDirectory, ports.Epmd);
        var id = LocalServerBuilderExtensions.NodeId(clusterDirectory);
        var nodePorts = ports.RabbitMQNodes(randomPorts);
        var names = Enumerable.Range(0, Nodes).Select(i => $"queuelab-{id}-{i}@localhost").ToArray();
        string[] clusterConfig =
        [
            "cluster_formation.peer_discovery_backend = classic_config",
            .. names.Select((n, i) => $"cluster_formation.classic_config.nodes.{i + 1} = {n}"),
            "cluster_partition_handling = pause_minority",
            "net_ticktime = 10",
            // New quorum queues' leaders spread over the nodes.
            "queue_leader_locator = balanced",
        ];
        var nodes = nodePorts.Select((p, i) => builder.AddRabbitMQNode($"{name}-{i}", binaries,
                LocalServerBuilderExtensions.CreateDirectory(stateDirectory, $"{name}-{i}"),
                new RabbitNode(names[i], p.Amqp, p.Management, p.Distribution, ports.Epmd, home), userName, password, clusterConfig,
                // Three VMs on two cores: no scheduler busy-waiting (an idle VM otherwise spins).
                "+sbwt none +sbwtdcpu none +sbwtdio none")
            .WaitFor(epmd)
            .WithAnnotation(new QueueLab.Lab.Resources.ClusterNodeNameAnnotation(names[i]))).ToList();

        var cluster = new LocalRabbitMQClusterResource(name, [.. nodes.Select(n => n.Resource)], userName.Resource, password.Resource);
        return builder.AddParent(cluster, nodes, "RabbitMQCluster", ServerProbes.RabbitMQAsync, async (services, ct) =>
        {
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster);
            var connectionString = await cluster.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false) ?? "";
            await WaitFormedAsync(cluster, connectionString, names, logger, ct).ConfigureAwait(false);
        });
    }

    /// <summary>The folder every node of the cluster has as its HOME, holding the Erlang cookie they share: made once per state
    /// folder, 20 random letters, readable by its owner only (Erlang refuses a cookie file others can read).</summary>
    private static string CookieHome(string clusterDirectory)
    {
        var home = LocalServerBuilderExtensions.CreateDirectory(clusterDirectory, "home");
        var cookie = Path.Combine(home, ".erlang.cookie");
        if (!File.Exists(cookie))
        {
            LocalServerBuilderExtensions.WriteSecretFile(cookie, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
            }
        }

        return home;
    }

    /// <summary>Waits until every node's management API lists the three configured nodes, all running.</summary>
    private static async Task WaitFormedAsync(IResource cluster, string connectionString, string[] names, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var views = await QueueLab.Lab.Faults.Servers.RabbitAdmin.ViewsAsync(cluster, connectionString, cancellationToken).ConfigureAwait(false);
            var missing = names.Where(n => !views.TryGetValue(n, out var running) || !names.All(running.Contains))
                .Select(n => views.TryGetValue(n, out var running) ? $"{n} sees {string.Join(", ", running)} running" : $"{n} does not answer").ToList();
            if (missing.Count == 0)
            {
                logger.LogInformation("RabbitMQ is a cluster of {Count} running nodes: {Nodes}", names.Length, string.Join(", ", names));
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"RabbitMQ's nodes did not form one cluster within 120 s: {string.Join("; ", missing)}. "
                    + "If their data folders come from different clusters, stop the lab and run ./queuelab reset.");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }
}
