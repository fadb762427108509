using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>
/// etcd as a cluster of three members (<c>QueueLab:Topology=cluster</c>): the resource services reference (same name and
/// connection string name as the single server), its connection string listing every member's client URL
/// (<c>http://root:PASSWORD@127.0.0.1:12379,http://127.0.0.1:12389,http://127.0.0.1:12399</c>, which
/// <c>QueueLab.Coordination.EtcdConnection</c> reads and dotnet-etcd balances over), with the members as child resources.
/// It runs once every member does and the cluster answers with the lab's credentials.
/// </summary>
public sealed class LocalEtcdClusterResource(string name, IReadOnlyList<LocalEtcdResource> members, ParameterResource password,
    IReadOnlyList<(string Member, int Advertised, int Listening)> peerLinks)
    : Resource(name), IResourceWithConnectionString
{
    public IReadOnlyList<LocalEtcdResource> Members { get; } = members;

    /// <summary>Per member, the peer port it advertises (the lab's peer proxy listens there) and the one it listens on itself.</summary>
    public IReadOnlyList<(string Member, int Advertised, int Listening)> PeerLinks { get; } = peerLinks;

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            builder.AppendLiteral($"http://{EtcdAuthentication.RootUser}:");
            builder.Append($"{Password}");
            for (var i = 0; i < Members.Count; i++)
            {
                builder.AppendLiteral($"{(i == 0 ? "@" : ",http://")}{LocalServerResource.Host}:{Members[i].ClientPort.ToString(CultureInfo.InvariantCulture)}");
            }

            return builder.Build();
        }
    }
}

public static class LocalEtcdClusterExtensions
{
    public const int Members = 3;

    /// <summary>
    /// Three etcd members (<c>{name}-0..2</c>, member names equal to the resource names), each with its own data folder,
    /// client and peer ports, every socket on 127.0.0.1, all started together (a member is healthy only once a quorum
    /// elects a leader). Authentication is on as for the single server (the members' health checks turn it on once; it is
    /// replicated state). Tokens are JWTs signed with a key pair the lab generates once in <c>{state}/etcd-jwt</c>: a JWT is
    /// checked by any member on its own, where etcd's default "simple" tokens live in the memory of the member that issued
    /// them, so a client balancing its calls over the members (as dotnet-etcd does) would be refused by the others, and
    /// every member forgets them when it restarts.
    /// </summary>
    public static IResourceBuilder<LocalEtcdClusterResource> AddLocalEtcdCluster(
        this IDistributedApplicationBuilder builder, string name, ServerBinaries binaries, string stateDirectory, bool randomPorts,
        LabPorts ports, IResourceBuilder<ParameterResource> rootPassword)
    {
        var members = ports.EtcdMembers(randomPorts);
        // The members advertise their peer ports, where the lab's proxies listen and forward to each member's own (so the lab can
        // cut one member off from the others: PeerLinks); existing data keeps working, since the advertised URLs do not change.
        var behindProxy = ports.EtcdPeersBehindProxy(randomPorts);
        var (privateKey, publicKey) = JwtKeys(stateDirectory);
        var token = "queuelab-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stateDirectory)))[..10];
        var initialCluster = string.Join(',', members.Select((m, i) => $"{name}-{i}=http://{LocalServerResource.Host}:{m.Peer}"));
        var nodes = members.Select((m, i) => builder.AddEtcdMember($"{name}-{i}", $"{name}-{i}", binaries, stateDirectory, m.Client, m.Peer, initialCluster,
            rootPassword,
            [
                "--initial-cluster-token", token,
                "--initial-cluster-state", "new",
                "--auth-token", $"jwt,pub-key={publicKey},priv-key={privateKey},sign-method=RS256,ttl=10m",
            ], behindProxy[i])).ToList();

        var cluster = new LocalEtcdClusterResource(name, [.. nodes.Select(n => n.Resource)], rootPassword.Resource,
            [.. members.Select((m, i) => ($"{name}-{i}", m.Peer, behindProxy[i]))]);
        return builder.AddParent(cluster, nodes, "EtcdCluster", ServerProbes.EtcdAsync);
    }

    /// <summary>The RS256 key pair the members sign and check tokens with: made once per state folder, owner-only, PEM
    /// (PKCS#1 private key, SubjectPublicKeyInfo public key, the forms etcd's JWT library reads).</summary>
    private static (string PrivateKey, string PublicKey) JwtKeys(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, "etcd-jwt");
        var folder = (OperatingSystem.IsWindows() ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)).FullName;
        var privateKey = Path.Combine(folder, "jwt.key");
        var publicKey = Path.Combine(folder, "jwt.pub");
        if (!File.Exists(privateKey) || !File.Exists(publicKey))
        {
            File.Delete(privateKey);
            File.Delete(publicKey);
            using var rsa = RSA.Create(2048);
            LocalServerBuilderExtensions.WriteSecretFile(privateKey, rsa.ExportRSAPrivateKeyPem());
            LocalServerBuilderExtensions.WriteSecretFile(publicKey, rsa.ExportSubjectPublicKeyInfoPem());
        }

        return (privateKey, publicKey);
    }
}
