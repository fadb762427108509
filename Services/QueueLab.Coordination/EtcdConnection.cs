using dotnet_etcd;

namespace QueueLab.Coordination;

/// <summary>
/// An etcd connection string: the client URL, with the user and password in it when etcd has authentication on
/// (the lab's always has: <c>http://root:PASSWORD@127.0.0.1:2379</c>). Clients made here authenticate once and keep
/// the token (dotnet-etcd sends it with every call, streams included, and asks for a new one when it is 4 minutes
/// old or etcd answers Unauthenticated); a unary call that etcd refuses for an expired or forgotten token is sent
/// once more with a new one (<see cref="EtcdReauthenticationInterceptor"/>).
/// </summary>
public sealed class EtcdConnection
{
    private EtcdConnection(Uri endpoint, string? userName, string? password)
    {
        Endpoint = endpoint;
        UserName = userName;
        Password = password;
    }

    /// <summary>The client URL without credentials, for example <c>http://127.0.0.1:2379/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The client URL without credentials or path, as etcd clients take it: <c>http://127.0.0.1:2379</c>.</summary>
    public string Address => Endpoint.GetLeftPart(UriPartial.Authority);

    public string? UserName { get; }

    public string? Password { get; }

    public bool HasCredentials => UserName is not null;

    public static EtcdConnection Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)
            || !Uri.TryCreate(connectionString.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException("An etcd connection string is the client URL, http://[user:password@]host:port.");
        }

        var endpoint = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Path = "/" }.Uri;
        if (uri.UserInfo.Length == 0)
        {
            return new EtcdConnection(endpoint, null, null);
        }

        var parts = uri.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(parts[0]);
        var password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        return user.Length == 0 || password.Length == 0
            ? throw new FormatException("An etcd connection string with credentials names both the user and the password: http://user:password@host:port.")
            : new EtcdConnection(endpoint, user, password);
    }

    /// <summary>A client that authenticates with this connection's credentials (when it has them).</summary>
    public EtcdClient CreateClient()
    {
        var client = new EtcdClient(Address, interceptors: [new EtcdReauthenticationInterceptor()]);
        if (HasCredentials)
        {
            client.SetCredentials(UserName!, Password!);
        }

        return client;
    }

    /// <summary>Makes <paramref name="client"/> ask for a new token before its next call. etcd forgets its tokens when
    /// it restarts; a unary call learns it from an Unauthenticated answer, but a watch stream opened with a forgotten
    /// token only sees its watches cancelled, which the client does not take for a sign to re-authenticate.</summary>
    public void RenewToken(EtcdClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (HasCredentials)
        {
            client.SetCredentials(UserName!, Password!);
        }
    }

    /// <summary>The URL with the user but not the password, for messages and logs.</summary>
    public override string ToString() =>
        HasCredentials ? new UriBuilder(Endpoint) { UserName = UserName }.Uri.GetLeftPart(UriPartial.Authority) : Address;
}
