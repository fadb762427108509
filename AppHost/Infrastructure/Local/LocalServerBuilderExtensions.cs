using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// Local-process servers: each with its own data folder under the lab state folder (kept across a stop and a
/// start of the resource), bound to 127.0.0.1 on its pinned port, with generated credentials.
/// </summary>
public static class LocalServerBuilderExtensions
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Erlang's kernel parameter for the address the distribution port listens on (the scripts word-split it).</summary>
    private const string DistributionOnLoopback = "-kernel inet_dist_use_interface {127,0,0,1}";

    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory,
        int port, IResourceBuilder<ParameterResource> password, IReadOnlyList<string>? extraConfig = null,
        Func<CancellationToken, Task<IReadOnlyList<string>>>? startConfig = null)
    {
        // Owner-only: Redis rewrites its configuration (CONFIG REWRITE, which Sentinels send at a failover) as a new file
        // readable by all (0644), with the password in it; a folder only its owner can enter keeps it private.
        var dataDirectory = CreateOwnerOnlyDirectory(stateDirectory, name);
        var configFile = Path.Combine(dataDirectory, "redis.conf");
        var redis = new LocalRedisResource(name, binaries.RedisServer, dataDirectory, port, password.Resource);

        return builder.AddResource(redis)
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "redis", isProxied: false)
            .WithArgs(configFile)
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                // The password goes in a file only its owner can read, not on a command line `ps` shows.
                var secret = await resource.Password.GetValueAsync(ct).ConfigureAwait(false);
                // What only this start can decide (a replica's primary), after the fixed lines.
                IReadOnlyList<string> decided = startConfig is null ? [] : await startConfig(ct).ConfigureAwait(false);
                await WriteOwnerOnlyAsync(configFile, string.Join('\n', (string[])
                [
                    $"port {port}",
                    $"bind {LocalServerResource.Host}",
                    "protected-mode yes",
                    $"dir {dataDirectory}",
                    "appendonly yes",
                    "appendfsync everysec",
                    // A stop signal stops it even when its last write to disk fails (a full or vanished state folder).
                    "shutdown-on-sigterm force",
                    $"requirepass {secret}",
                    "enable-debug-command local",
                    "daemonize no",
                    .. extraConfig ?? [],
                    .. decided,
                    "",
                ]), ct).ConfigureAwait(false);
            })
            .WithProbe(ServerProbes.RedisAsync);
    }

    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory,
        LabPorts ports, IResourceBuilder<ParameterResource> userName, IResourceBuilder<ParameterResource> password)
    {
        var dataDirectory = CreateDirectory(stateDirectory, name);
        var epmd = builder.AddEpmd($"{name}-epmd", binaries, dataDirectory, ports.Epmd);
        // The node name is stable for a state folder (its Mnesia data is keyed by it) and unique across folders.
        var node = new RabbitNode($"queuelab-{NodeId(dataDirectory)}@localhost", ports.RabbitMQ, ports.RabbitMQManagement, ports.RabbitMQDistribution, ports.Epmd,
            CreateDirectory(dataDirectory, "home"));
        return builder.AddRabbitMQNode(name, binaries, dataDirectory, node, userName, password, [], "")
            .WithParentRelationship(epmd)
            .WaitFor(epmd);
    }

    /// <summary>The Erlang port mapper the lab's RabbitMQ nodes register with, run by the lab on its own port (rather than the
    /// <c>epmd -daemon</c> RabbitMQ would otherwise leave behind), so stopping the lab stops it too.</summary>
    internal static IResourceBuilder<EpmdResource> AddEpmd(this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string workingDirectory, int port) =>
        builder.AddResource(new EpmdResource(name, binaries.Epmd, workingDirectory, port))
            .WithArgs("-address", LocalServerResource.Host, "-port", port.ToString(CultureInfo.InvariantCulture))
            .WithEndpoint(name: "tcp", port: port, targetPort: port, isProxied: false)
            .WithHealthCheck(AddTcpCheck(builder, $"{name}_check", port));

    /// <summary>A stable id for a RabbitMQ node's data folder (its node name carries it).</summary>
    internal static string NodeId(string dataDirectory) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..10];

    /// <summary>
    /// One RabbitMQ node: <c>rabbitmq-server</c> with its own data folder, AMQP, management and distribution ports on 127.0.0.1,
    /// its configuration written owner-only at every start (the lab's user, <paramref name="extraConfig"/> after it).
    /// </summary>
    internal static IResourceBuilder<LocalRabbitMQResource> AddRabbitMQNode(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string dataDirectory, RabbitNode node,
        IResourceBuilder<ParameterResource> userName, IResourceBuilder<ParameterResource> password, IReadOnlyList<string> extraConfig, string extraErlangArgs)
    {
        var configFile = Path.Combine(dataDirectory, "rabbitmq.conf");
        var pluginsFile = Path.Combine(dataDirectory, "enabled_plugins");
        var envFile = Path.Combine(dataDirectory, "rabbitmq-env.conf");
        var rabbit = new LocalRabbitMQResource(name, binaries.RabbitMQServer, dataDirectory, node.Amqp, userName.Resource, password.Resource);
        return builder.AddResource(rabbit)
            .WithAnnotation(new QueueLab.Lab.Resources.RabbitCtlAnnotation(binaries.RabbitMQCtl, RabbitMQEnvironment(dataDirectory, node, extraErlangArgs), node.Name))
            .WithEndpoint(name: "tcp", port: node.Amqp, targetPort: node.Amqp, scheme: "amqp", isProxied: false)
            .WithHttpEndpoint(name: "management", port: node.Management, targetPort: node.Management, isProxied: false)
            .WithEnvironment(context =>
            {
                foreach (var (key, value) in RabbitMQEnvironment(dataDirectory, node, extraErlangArgs))
                {
                    context.EnvironmentVariables[key] = value;
                }
            })
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                var user = await resource.UserName.GetValueAsync(ct).ConfigureAwait(false);
                var secret = await resource.Password.GetValueAsync(ct).ConfigureAwait(false);
                await WriteOwnerOnlyAsync(configFile, string.Join('\n', (string[])
                [
                    "# Written by the QueueLab AppHost at each start.",
                    $"default_user = {user}",
                    $"default_pass = {secret}",
                    "loopback_users = none",
                    $"management.tcp.ip = {LocalServerResource.Host}",
                    $"management.tcp.port = {node.Management}",
                    "log.console = true",
                    "log.console.level = info",
                    "log.file = false",
                    .. extraConfig,
                    "",
                ]), ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(pluginsFile, "[rabbitmq_management].\n", ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(envFile, "# The lab sets RabbitMQ's environment itself.\n", ct).ConfigureAwait(false);
            })
            .WithProbe(ServerProbes.RabbitMQAsync);
    }

    /// <summary>The environment both the server and its CLI tools (rabbitmqctl) need to find this node.</summary>
    public static IReadOnlyDictionary<string, string> RabbitMQEnvironment(string dataDirectory, RabbitNode node, string extraErlangArgs = "")
    {
        ArgumentNullException.ThrowIfNull(node);
        return new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = node.Name,
            ["RABBITMQ_NODE_IP_ADDRESS"] = LocalServerResource.Host,
            ["RABBITMQ_NODE_PORT"] = node.Amqp.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = node.Distribution.ToString(CultureInfo.InvariantCulture),
            // The Erlang distribution (inter-node) listener binds to every interface unless told otherwise, whatever
            // RABBITMQ_NODE_IP_ADDRESS says; the CLI tools' temporary nodes (rabbitmqctl) listen too.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = (DistributionOnLoopback + " " + extraErlangArgs).Trim(),
            ["RABBITMQ_CTL_ERL_ARGS"] = DistributionOnLoopback,
            ["ERL_EPMD_PORT"] = node.Epmd.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = LocalServerResource.Host,
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDirectory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dataDirectory, "log"),
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dataDirectory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dataDirectory, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dataDirectory, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dataDirectory, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dataDirectory, "rabbitmq.pid"),
            // Holds the Erlang cookie: the nodes of a cluster share one.
            ["HOME"] = node.Home,
            // The lab runs epmd itself: an Erlang VM (the server, or a CLI tool) that finds it gone must fail,
            // not start an `epmd -daemon` of its own that would outlive the lab.
            ["ERL_AFLAGS"] = "-start_epmd false",
        };
    }

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory,
        int port, IResourceBuilder<ParameterResource> password)
    {
        var serverDirectory = CreateDirectory(stateDirectory, name);
        var dataDirectory = Path.Combine(serverDirectory, "data");
        var socketDirectory = Path.Combine(serverDirectory, "run");
        var asRoot = IsRoot();

        // PostgreSQL refuses to run as root: as root, drop to the postgres user with setpriv, which execs
        // (no extra process), so the resource's process id is the server's own.
        var (command, prefix) = asRoot
            ? ("setpriv", new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", binaries.Postgres })
            : (binaries.Postgres, Array.Empty<string>());

        var postgres = new LocalPostgresResource(name, command, serverDirectory, port, password.Resource);
        return builder.AddResource(postgres)
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithArgs([.. prefix,
                "-D", dataDirectory,
                "-p", port.ToString(CultureInfo.InvariantCulture),
                "-k", socketDirectory,
                "-c", $"listen_addresses={LocalServerResource.Host}",
                "-c", "password_encryption=scram-sha-256",
                "-c", "max_connections=300",
                // Each transaction's commit time (pg_xact_commit_timestamp): the load suites time a final state from
                // when it became visible, not from when its row was written.
                "-c", "track_commit_timestamp=on"])
            .OnBeforeResourceStarted(async (resource, started, ct) =>
            {
                if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
                {
                    return;
                }

                var secret = await resource.Password.GetValueAsync(ct).ConfigureAwait(false);
                try
                {
                    await InitializeClusterAsync(binaries, serverDirectory, dataDirectory, socketDirectory, secret!, asRoot, ct).ConfigureAwait(false);
                }
                catch (InvalidOperationException ex)
                {
                    // Aspire records a failed start callback on the resource only (the dashboard's console log), and a
                    // lab run without the dashboard would just wait for a server that never starts: say it where the
                    // AppHost's own log (and `apphost.log` of a command-line lab) shows it.
                    started.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QueueLab.AppHost.Postgres")
                        .LogError(ex, "PostgreSQL ({Resource}) cannot start: {Reason}", resource.Name, ex.Message);
                    throw;
                }
            })
            .WithProbe(ServerProbes.PostgresAsync);
    }

    /// <summary>
    /// A database on a local PostgreSQL server, created (if absent) as soon as the server answers, the way
    /// the Aspire PostgreSQL integration does for containers.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.OnResourceReady(async (resource, @event, ct) =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false);
            await using var source = NpgsqlDataSource.Create(connectionString!);
            await using var exists = source.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1");
            exists.Parameters.AddWithValue(database.DatabaseName);
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null)
            {
                await using var create = source.CreateCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            // The database is not a process: it is up once it exists on a running server.
            await @event.Services.GetRequiredService<ResourceNotificationService>()
                .PublishUpdateAsync(database, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                }).ConfigureAwait(false);
        });

        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, server.Resource.Name)],
            })
            .WithParentRelationship(server)
            .WithProbe(ServerProbes.PostgresAsync);
    }

    public static IResourceBuilder<LocalEtcdResource> AddLocalEtcd(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, LabPorts ports,
        IResourceBuilder<ParameterResource> rootPassword)
    {
        var peer = $"http://{LocalServerResource.Host}:{ports.EtcdPeer}";
        // Authentication is turned on by the health check, the first time this data folder answers (EtcdAuthentication).
        return builder.AddEtcdMember(name, "queuelab", binaries, stateDirectory, ports.Etcd, ports.EtcdPeer, $"queuelab={peer}", rootPassword, []);
    }

    /// <summary>
    /// One etcd member: its own data folder (<c>{state}/{name}/data</c>), client and peer URLs on 127.0.0.1, and the cluster it
    /// starts in (<paramref name="initialCluster"/>: <c>member=peer URL</c>, comma-separated), which etcd reads only while the
    /// data folder is new, so the same arguments serve every later start on its data. With <paramref name="listenPeerPort"/>
    /// it listens for its peers there and advertises <paramref name="peerPort"/>, where the lab's peer proxy forwards to it.
    /// </summary>
    internal static IResourceBuilder<LocalEtcdResource> AddEtcdMember(
        this IDistributedApplicationBuilder builder, string name, string memberName, ServerBinaries binaries, string stateDirectory,
        int clientPort, int peerPort, string initialCluster, IResourceBuilder<ParameterResource> rootPassword, IReadOnlyList<string> extraArgs,
        int? listenPeerPort = null)
    {
        var dataDirectory = CreateDirectory(stateDirectory, name);
        var client = $"http://{LocalServerResource.Host}:{clientPort}";
        var peer = $"http://{LocalServerResource.Host}:{peerPort}";
        var listenPeer = $"http://{LocalServerResource.Host}:{listenPeerPort ?? peerPort}";
        return builder.AddResource(new LocalEtcdResource(name, binaries.Etcd, dataDirectory, clientPort, rootPassword.Resource))
            .WithEndpoint(name: "tcp", port: clientPort, targetPort: clientPort, scheme: "http", isProxied: false)
            .WithArgs(
            [
                "--name", memberName,
                "--data-dir", Path.Combine(dataDirectory, "data"),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", listenPeer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", initialCluster,
                .. extraArgs,
            ])
            .WithProbe(ServerProbes.EtcdAsync);
    }

    /// <summary>Writes <paramref name="content"/> to a new file created readable by its owner only (never readable by others,
    /// not even between its creation and a chmod; while the model is built).</summary>
    internal static void WriteSecretFile(string path, string content)
    {
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = OwnerOnly;
        }

        using var stream = new FileStream(path, create);
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    private static async Task InitializeClusterAsync(
        ServerBinaries binaries, string serverDirectory, string dataDirectory, string socketDirectory, string password,
        bool asRoot, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(socketDirectory);
        var passwordFile = Path.Combine(serverDirectory, ".pwfile");
        await WriteOwnerOnlyAsync(passwordFile, password + "\n", cancellationToken).ConfigureAwait(false);
        try
        {
            string[] initdb = [binaries.InitDb, "-D", dataDirectory, "-U", LocalPostgresResource.UserName, "-E", "UTF8",
                "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}"];
            if (asRoot)
            {
                await QueueLab.Lab.Processes.ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", serverDirectory], cancellationToken).ConfigureAwait(false);
                await QueueLab.Lab.Processes.ProcessRunner.RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. initdb], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await QueueLab.Lab.Processes.ProcessRunner.RunAsync(initdb[0], initdb[1..], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException ex) when (asRoot)
        {
            throw new InvalidOperationException(
                $"initdb failed for {dataDirectory}. The postgres user must be able to reach the lab state folder " +
                $"(every parent folder needs o+x); set QueueLab:StateDir elsewhere if it cannot. {ex.Message}", ex);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    internal static string AddTcpCheck(IDistributedApplicationBuilder builder, string key, int port)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async ct =>
        {
            try
            {
                await ServerProbes.TcpAsync(LocalServerResource.Host, port, ct).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        return key;
    }

    /// <summary>A folder only its owner can list or enter (made so, or made so again), for files a server rewrites with a secret in them.</summary>
    internal static string CreateOwnerOnlyDirectory(string parent, string name)
    {
        var path = CreateDirectory(parent, name);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    internal static string CreateDirectory(string parent, string name)
    {
        var path = Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        return path;
    }

    internal static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }

    private static bool IsRoot() => Environment.UserName == "root";
}

/// <summary>One RabbitMQ node's identity: its Erlang node name, its ports (AMQP, management, Erlang distribution), the epmd it
/// registers with, and the home folder that holds its Erlang cookie.</summary>
public sealed record RabbitNode(string Name, int Amqp, int Management, int Distribution, int Epmd, string Home);
