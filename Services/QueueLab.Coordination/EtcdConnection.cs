using dotnet_etcd;

namespace QueueLab.Coordination;

/// <summary>
/// An etcd connection string: the client URL, with the user and password in it when etcd has authentication on
/// (the lab's always has: <c>http://root:PASSWORD@127.0.0.1:2379</c>); for a cluster, every member's client URL,
/// comma-separated, the credentials in the first (<c>http://root:PASSWORD@127.0.0.1:12379,http://127.0.0.1:12389,...</c>):
/// the client then spreads its calls over the members and goes on with the others when one is down. Clients made here authenticate once and keep
/// the token (dotnet-etcd sends it with every call, streams included, and asks for a new one when it is 4 minutes
/// old or etcd answers Unauthenticated); a unary call that etcd refuses for an expired or forgotten token is sent
/// once more with a new one (<see cref="EtcdReauthenticationInterceptor"/>).
/// </summary>
public sealed class EtcdConnection
{
    private EtcdConnection(IReadOnlyList<Uri> endpoints, string? userName, string? password)
    {
        Endpoints = endpoints;
        UserName = userName;
        Password = password;
    }

    /// <summary>The (first) client URL without credentials, for example <c>http://127.0.0.1:2379/</c>.</summary>
    public Uri Endpoint => Endpoints[0];

    /// <summary>Every member's client URL without credentials (one for a single server).</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The client URLs without credentials or path, comma-separated, as etcd clients take them: <c>http://127.0.0.1:2379</c>.</summary>
    public string Address => string.Join(',', Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    public string? UserName { get; }

    public string? Password { get; }

    public bool HasCredentials => UserName is not null;

    public static EtcdConnection Parse(string connectionString)
    {
        const string Shape = "An etcd connection string is the client URL, http://[user:password@]host:port, or a cluster's client URLs, comma-separated, "
            + "the credentials in the first.";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException(Shape);
        }

        var urls = new List<Uri>();
        foreach (var part in connectionString.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new FormatException(Shape);
            }

            if (urls.Count > 0 && uri.UserInfo.Length > 0)
            {
                throw new FormatException(Shape + " Only the first URL carries the user and password.");
            }

            urls.Add(uri);
        }

        var endpoints = urls.Select(u => new UriBuilder(u) { UserName = string.Empty, Password = string.Empty, Path = "/" }.Uri).ToList();
        var first = urls[0];
        if (first.UserInfo.Length == 0)
        {
            return new EtcdConnection(endpoints, null, null);
        }

        var parts = first.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(parts[0]);
        var password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        return user.Length == 0 || password.Length == 0
            ? throw new FormatException("An etcd connection string with credentials names both the user and the password: http://user:password@host:port.")
            : new EtcdConnection(endpoints, user, password);
    }

    /// <summary>One connection per member, each to that member alone, with the same credentials (to ask a member about itself).</summary>
    public IReadOnlyList<EtcdConnection> Members() => [.. Endpoints.Select(e => new EtcdConnection([e], UserName, Password))];

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

    /// <summary>The URLs with the user but not the password, for messages and logs.</summary>
    public override string ToString() =>
        HasCredentials
            ? string.Join(',', Endpoints.Select((e, i) => i == 0 ? new UriBuilder(e) { UserName = UserName }.Uri.GetLeftPart(UriPartial.Authority) : e.GetLeftPart(UriPartial.Authority)))
            : Address;
}
