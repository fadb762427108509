using dotnet_etcd;
using Etcdserverpb;
using QueueLab.Coordination;

namespace QueueLab.ChaosTests;

/// <summary>
/// What the coordinators wrote to etcd between two revisions, read back from etcd's own history (every revision's state,
/// which etcd keeps until it is compacted; the lab never compacts): each assignment put, and which candidate held the
/// leader key at that revision.
/// </summary>
/// <param name="AssignmentsWritten">Assignment documents put in the range.</param>
/// <param name="Terms">The leader key's create revisions seen (each is one coordinator term, its fencing token).</param>
/// <param name="Violations">Assignments put at a revision where the leader key was absent or held by another candidate
/// than the one the document names: a write by a coordinator that did not lead.</param>
public sealed record CoordinatorHistory(int AssignmentsWritten, IReadOnlyList<long> Terms, IReadOnlyList<string> Violations)
{
    public static async Task<long> RevisionAsync(EtcdClient client, CancellationToken cancellationToken = default) =>
        (await client.GetAsync(new RangeRequest { Key = CoordinationKeys.Bytes("/"), CountOnly = true }, cancellationToken: cancellationToken).ConfigureAwait(false)).Header.Revision;

    /// <summary>Reads every revision in (<paramref name="from"/>, <paramref name="to"/>] under <paramref name="keys"/>' root.</summary>
    public static async Task<CoordinatorHistory> ReadAsync(EtcdClient client, CoordinationKeys keys, long from, long to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(keys);
        var written = 0;
        var terms = new SortedSet<long>();
        var violations = new List<string>();
        for (var revision = from + 1; revision <= to; revision++)
        {
            var state = await client.GetAsync(new RangeRequest { Key = CoordinationKeys.Bytes(keys.Root), RangeEnd = CoordinationKeys.RangeEnd(keys.Root), Revision = revision },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var leaderKey = state.Kvs.FirstOrDefault(kv => kv.Key.ToStringUtf8() == keys.Leader);
            var leader = leaderKey is null ? null : CoordinationJson.TryDeserialize<MemberDocument>(leaderKey.Value);
            if (leaderKey is not null)
            {
                terms.Add(leaderKey.CreateRevision);
            }

            foreach (var kv in state.Kvs.Where(kv => kv.ModRevision == revision && kv.Key.ToStringUtf8().StartsWith(keys.AssignmentsPrefix, StringComparison.Ordinal)))
            {
                written++;
                var document = CoordinationJson.TryDeserialize<AssignmentDocument>(kv.Value);
                if (document is null || leader is null || document.Leader != leader.Id)
                {
                    violations.Add($"revision {revision}: {kv.Key.ToStringUtf8()} written by {document?.Leader ?? "?"} while the leader key {(leader is null ? "was absent" : $"named {leader.Id}")}");
                }
            }
        }

        return new CoordinatorHistory(written, [.. terms], violations);
    }
}
