using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// The lab's start-up settings, read once from configuration (<c>QueueLab:*</c>) before the model is built.
/// A bad value fails here, with a message that says what to fix.
/// </summary>
public sealed record LabSettings(InfrastructureMode Mode, string StateDirectory, bool RandomPorts, LabPorts Ports)
{
    public const string Section = "QueueLab";

    /// <summary><c>QueueLab:Redis:Cluster=true</c>: Redis runs as a local Redis Cluster of three primaries instead of one server.</summary>
    public bool RedisCluster { get; init; }

    /// <summary><c>QueueLab:Topology=cluster</c>: the servers run as clusters of three local nodes (<see cref="ServerTopology"/>).</summary>
    public ServerTopology Topology { get; init; }

    /// <summary>
    /// The rules between these settings and what the lab runs, each failure saying what to change: a Redis Cluster is local
    /// processes, carries pipeline B alone, and in partitions.
    /// </summary>
    public void CheckAgainst(QueueLab.Lab.Setup.LabSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (Topology == ServerTopology.Cluster)
        {
            if (Mode != InfrastructureMode.Local)
            {
                throw new InvalidOperationException(
                    "QueueLab:Topology=cluster runs three nodes of each server from the OS packages as local processes: set "
                    + "QueueLab:Infrastructure=local (or leave it at auto on a machine where no container runtime answers).");
            }

            if (RedisCluster)
            {
                throw new InvalidOperationException(
                    "QueueLab:Topology=cluster and QueueLab:Redis:Cluster=true are two different ways to run Redis on three nodes: pick one.");
            }

            // The nodes' fixed ports (node i on the single server's port + 10·i, the Sentinels beside Redis's).
            if (!RandomPorts)
            {
                var clash = Ports.All().Concat(Ports.ClusterNodes(etcd: setup.Runs(QueueLab.Lab.ResourceNames.Etcd),
                    rabbitMQ: setup.Runs(QueueLab.Lab.ResourceNames.Messaging)))
                    .GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1);
                if (clash is not null)
                {
                    throw new InvalidOperationException(
                        $"With QueueLab:Topology=cluster, port {clash.Key} goes to {string.Join(" and ", clash.Select(p => p.Name))} (a cluster's node i "
                        + $"listens on its server's port + {LabPorts.ClusterNodeStep}·i, Redis's Sentinels on its port + {LabPorts.SentinelOffset} + "
                        + $"{LabPorts.ClusterNodeStep}·i); move one of them with QueueLab:Ports.");
                }
            }
        }

        if (!RedisCluster)
        {
            return;
        }

        if (Mode != InfrastructureMode.Local)
        {
            throw new InvalidOperationException(
                "QueueLab:Redis:Cluster=true starts a local Redis Cluster from the redis-server binary; it needs the servers as local processes: "
                + "set QueueLab:Infrastructure=local (or leave it at auto on a machine where no container runtime answers).");
        }

        if (setup.Pipelines.Rabbit)
        {
            throw new InvalidOperationException(
                "QueueLab:Redis:Cluster=true carries pipeline B only: pipeline A's scripts take the keys of many messages in one call, which a "
                + "cluster spreads over its shards. Run the cluster with QueueLab:Pipelines=ordering.");
        }

        if (setup.Ordering.Partitions < 2)
        {
            throw new InvalidOperationException(
                "QueueLab:Redis:Cluster=true needs pipeline B in partitions, whose keys carry a hash tag per partition (one partition's keys are "
                + "the untagged keys of a single Redis, which a cluster spreads over its shards): set QueueLab:Ordering:Partitions=3 or more.");
        }
    }

    /// <param name="publishing">The AppHost publishes a deployment manifest (<c>--publisher manifest</c>) instead of
    /// running: the servers must be containers (a deployment has no local <c>redis-server</c>), and no container runtime
    /// is needed to write the manifest.</param>
    public static LabSettings Read(IConfiguration configuration, string appHostDirectory, bool publishing = false)
    {
        var section = configuration.GetSection(Section);

        var modeText = section["Infrastructure"] ?? nameof(InfrastructureMode.Auto);
        if (!Enum.TryParse<InfrastructureMode>(modeText, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new InvalidOperationException(
                $"QueueLab:Infrastructure is '{modeText}'; use one of auto, containers, local.");
        }

        if (publishing)
        {
            if (mode == InfrastructureMode.Local)
            {
                throw new InvalidOperationException(
                    "A deployment manifest lists the servers as containers, and QueueLab:Infrastructure=local runs them as local processes; "
                    + "publish with QueueLab:Infrastructure=containers (or auto), which needs no container runtime to write the manifest.");
            }

            mode = InfrastructureMode.Containers;
        }

        if (mode == InfrastructureMode.Auto)
        {
            mode = ContainerRuntimeProbe.Answers(configuration["DcpPublisher:ContainerRuntime"], TimeSpan.FromSeconds(5))
                ? InfrastructureMode.Containers
                : InfrastructureMode.Local;
        }

        // The testing builder asks for random ports (DcpPublisher:RandomizePorts); `dotnet run` keeps the
        // documented fixed ones. QueueLab:Ports:Random overrides either way.
        var random = ReadBool(section, "Ports:Random")
            ?? ReadBool(configuration.GetSection("DcpPublisher"), "RandomizePorts")
            ?? false;

        var ports = random ? LabPorts.Random() : ReadFixedPorts(section.GetSection("Ports"));

        var stateDirectory = section["StateDir"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : random
                ? Path.Combine(Path.GetTempPath(), $"queuelab-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32])
                : Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".queuelab"));

        var cluster = section["Redis:Cluster"] is not { } clusterText ? false
            : bool.TryParse(clusterText, out var clusterValue) ? clusterValue
            : throw new InvalidOperationException($"QueueLab:Redis:Cluster is '{clusterText}'; use true or false.");

        var topologyText = section["Topology"] ?? nameof(ServerTopology.Single);
        if (!Enum.TryParse<ServerTopology>(topologyText, ignoreCase: true, out var topology) || !Enum.IsDefined(topology))
        {
            throw new InvalidOperationException($"QueueLab:Topology is '{topologyText}'; use single or cluster.");
        }

        if (publishing && topology == ServerTopology.Cluster)
        {
            throw new InvalidOperationException(
                "QueueLab:Topology=cluster runs the servers' nodes as local processes, which a deployment manifest cannot list; publish with the single topology.");
        }

        return new LabSettings(mode, stateDirectory, random, ports) { RedisCluster = cluster, Topology = topology };
    }

    /// <summary>
    /// Whether the AppHost starts the dashboard: <c>QueueLab:Dashboard=false</c> (an argument, or <c>QueueLab__Dashboard</c> in
    /// the environment) turns it off. Read from the arguments before the builder exists, since the builder's options need it.
    /// </summary>
    public static bool DashboardEnabled(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        const string Key = "QueueLab:Dashboard=";
        var text = args.LastOrDefault(a => a.StartsWith(Key, StringComparison.OrdinalIgnoreCase) || a.StartsWith("--" + Key, StringComparison.OrdinalIgnoreCase)) is { } arg
            ? arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..]
            : Environment.GetEnvironmentVariable("QueueLab__Dashboard");
        return text is null || !bool.TryParse(text, out var enabled)
            ? text is null ? true : throw new InvalidOperationException($"QueueLab:Dashboard is '{text}'; use true or false.")
            : enabled;
    }

    private static LabPorts ReadFixedPorts(IConfigurationSection section)
    {
        var d = LabPorts.Defaults;
        var ports = new LabPorts(
            Port(section, nameof(LabPorts.RabbitMQ), d.RabbitMQ),
            Port(section, nameof(LabPorts.RabbitMQManagement), d.RabbitMQManagement),
            Port(section, nameof(LabPorts.RabbitMQDistribution), d.RabbitMQDistribution),
            Port(section, nameof(LabPorts.Epmd), d.Epmd),
            Port(section, nameof(LabPorts.Redis), d.Redis),
            Port(section, nameof(LabPorts.Postgres), d.Postgres),
            Port(section, nameof(LabPorts.Etcd), d.Etcd),
            Port(section, nameof(LabPorts.EtcdPeer), d.EtcdPeer),
            Port(section, nameof(LabPorts.Coordinator), d.Coordinator),
            Port(section, nameof(LabPorts.Publisher), d.Publisher));

        var clash = ports.All().GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new InvalidOperationException(
                $"QueueLab:Ports gives port {clash.Key} to {string.Join(" and ", clash.Select(p => p.Name))}; give each its own.");
        }

        return ports;
    }

    private static int Port(IConfigurationSection section, string name, int fallback)
    {
        var text = section[name];
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, out var port) && port is > 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"QueueLab:Ports:{name} is '{text}'; use a TCP port between 1 and 65535.");
    }

    private static bool? ReadBool(IConfiguration section, string key) =>
        section[key] is { } text
            ? bool.TryParse(text, out var value)
                ? value
                : throw new InvalidOperationException($"{key} is '{text}'; use true or false.")
            : null;
}
