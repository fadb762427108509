using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using QueueLab.Coordination;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// etcd runs with authentication on and the lab's generated root password, like the other servers. etcd has no
/// setting that turns it on at start (neither a flag nor, for the container image, an environment variable): the
/// first time a data folder answers, the health check creates the user <c>root</c> with the password, grants it the
/// <c>root</c> role and enables authentication; on later starts the data folder already has all of it and the check
/// only reads with the credentials. So etcd is never healthy, and nothing that waits for it starts, before its
/// clients' credentials work.
/// </summary>
public static class EtcdAuthentication
{
    public const string RootUser = "root";
    public const string RootRole = "root";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Reads with the connection's credentials; turns authentication on first when etcd has it off.</summary>
    public static async Task EnsureOnAsync(EtcdConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.HasCredentials)
        {
            throw new InvalidOperationException($"The etcd connection string {connection} has no credentials; the lab's etcd runs with authentication on.");
        }

        using var client = connection.CreateClient();
        try
        {
            await ReadAsync(client, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition && ex.Status.Detail.Contains("authentication is not enabled", StringComparison.Ordinal))
        {
            // A new data folder (or one from before the lab turned authentication on).
        }
        catch (RpcException ex) when (ex.Status.Detail.Contains("invalid user ID or password", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"etcd refuses the lab's {RootUser} password: its data was set up with another one (were the lab's credentials.json " +
                "regenerated while etcd's data was kept? `./queuelab reset` removes both; in containers mode also remove the volume queuelab-etcd-data).", ex);
        }

        await EnableAsync(connection, cancellationToken).ConfigureAwait(false);
        connection.RenewToken(client);
        await ReadAsync(client, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Idempotent: every step may already have been done by an earlier, interrupted attempt.</summary>
    private static async Task EnableAsync(EtcdConnection connection, CancellationToken cancellationToken)
    {
        using var anonymous = new EtcdClient(connection.Address);
        try
        {
            await anonymous.UserAddAsync(new AuthUserAddRequest { Name = connection.UserName, Password = connection.Password },
                deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.Status.Detail.Contains("user name already exists", StringComparison.Ordinal))
        {
            await anonymous.UserChangePasswordAsync(new AuthUserChangePasswordRequest { Name = connection.UserName, Password = connection.Password },
                deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await anonymous.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = connection.UserName, Role = RootRole },
            deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await anonymous.AuthEnableAsync(new AuthEnableRequest(), deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadAsync(EtcdClient client, CancellationToken cancellationToken) =>
        await client.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("health"), KeysOnly = true, Limit = 1 },
            deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;
}
