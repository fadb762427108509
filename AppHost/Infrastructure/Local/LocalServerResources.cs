using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// A server run as a local process from the OS packages that hands out a connection string exactly like its
/// container counterpart, so services and tests cannot tell the difference. It listens on its pinned port
/// (no proxy in front), so a health check against that port talks to the server itself.
/// </summary>
public abstract class LocalServerResource(string name, string command, string dataDirectory, int port)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    public const string Host = "127.0.0.1";

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The port the server listens on.</summary>
    public int Port { get; } = port;

    /// <summary>The port clients are given: the server's own, or a fault proxy's in front of it in chaos runs.</summary>
    public int ClientPort { get; set; } = port;

    public abstract ReferenceExpression ConnectionStringExpression { get; }
}

public sealed class LocalRedisResource(string name, string command, string dataDirectory, int port, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory, port)
{
    public ParameterResource Password { get; } = password;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Host}:{ClientPort.ToString()},password={Password}");
}

public sealed class LocalRabbitMQResource(
    string name, string command, string dataDirectory, int port, ParameterResource userName, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory, port)
{
    public ParameterResource UserName { get; } = userName;

    public ParameterResource Password { get; } = password;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{Password}@{Host}:{ClientPort.ToString()}");
}

public sealed class LocalPostgresResource(string name, string command, string dataDirectory, int port, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory, port)
{
    public const string UserName = "postgres";

    public ParameterResource Password { get; } = password;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={ClientPort.ToString()};Username={UserName};Password={Password}");
}

/// <summary>A database on the local PostgreSQL server; created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

/// <summary>etcd with authentication on (<see cref="EtcdAuthentication"/>): the connection string carries its root user and
/// password, <c>http://root:PASSWORD@127.0.0.1:port</c>, which <c>QueueLab.Coordination.EtcdConnection</c> reads.</summary>
public sealed class LocalEtcdResource(string name, string command, string dataDirectory, int port, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory, port)
{
    public ParameterResource Password { get; } = password;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"http://{EtcdAuthentication.RootUser}:{Password}@{Host}:{ClientPort.ToString()}");
}

/// <summary>
/// The Erlang port mapper RabbitMQ registers with. Run by the lab on its own port (rather than the
/// <c>epmd -daemon</c> RabbitMQ would otherwise leave behind), so stopping the lab stops it too.
/// </summary>
public sealed class EpmdResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory)
{
    public int Port { get; } = port;
}
