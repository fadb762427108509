using Etcdserverpb;
using Grpc.Core;
using QueueLab.Coordination;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>Which etcd member leads, in raft's own words: its member name (the lab names members after their resources),
/// its id, and the raft term it leads in.</summary>
public sealed record EtcdLeader(string Name, ulong Id, ulong Term);

/// <summary>etcd as the fault library reads it: who leads the cluster.</summary>
public static class EtcdAdmin
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The leader as a majority of the members sees it (each member asked on its own connection, so a dead member is
    /// skipped at once), or null when there is none yet (an election under way, or no quorum).
    /// </summary>
    public static async Task<EtcdLeader?> LeaderAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var members = EtcdConnection.Parse(connectionString).Members();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var asks = members.Select(member => AskAsync(member, done.Token)).ToList();
        var votes = new Dictionary<ulong, List<(StatusResponse Status, MemberListResponse Members)>>();
        try
        {
            // Decided as soon as a majority agrees: a dead member's calls are retried by the client until their deadline,
            // and waiting for them would make every look take that long.
            await foreach (var ask in Task.WhenEach(asks).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (await ask.ConfigureAwait(false) is not { } answer || answer.Status.Leader == 0)
                {
                    continue;
                }

                var agreeing = votes.TryGetValue(answer.Status.Leader, out var list) ? list : votes[answer.Status.Leader] = [];
                agreeing.Add(answer);
                if (agreeing.Count * 2 > members.Count)
                {
                    var leader = answer.Status.Leader;
                    var name = agreeing.SelectMany(a => a.Members.Members).FirstOrDefault(m => m.ID == leader)?.Name;
                    return name is null ? null : new EtcdLeader(name, leader, agreeing.Max(a => a.Status.RaftTerm));
                }
            }

            return null;
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Each member's own view, by its name: the member it follows as leader, or null while it has none (an election, or a
    /// member cut off from the others). A member that does not answer is left out.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string?>> ViewsAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var answers = await Task.WhenAll(EtcdConnection.Parse(connectionString).Members().Select(m => AskAsync(m, cancellationToken))).ConfigureAwait(false);
        var views = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            if (answer is not { } a || a.Members.Members.FirstOrDefault(m => m.ID == a.Status.Header.MemberId)?.Name is not { } self)
            {
                continue;
            }

            views[self] = a.Status.Leader == 0 ? null : a.Members.Members.FirstOrDefault(m => m.ID == a.Status.Leader)?.Name;
        }

        return views;
    }

    private static async Task<(StatusResponse Status, MemberListResponse Members)?> AskAsync(EtcdConnection member, CancellationToken cancellationToken)
    {
        // Status and the member list need no token (etcd answers them with authentication on): no authentication round
        // trip, which goes through raft and would wait for the election this is watching.
        using var client = new dotnet_etcd.EtcdClient(member.Address);
        try
        {
            var status = await client.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            var list = await client.MemberListAsync(new MemberListRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (status, list);
        }
        catch (RpcException)
        {
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
