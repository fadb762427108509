using System.Diagnostics;
using Etcdserverpb;

namespace QueueLab.Coordination.Tests;

[Collection(EtcdCollection.Name)]
public sealed class ElectionTests(EtcdFixture etcd)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stale_leader_cannot_write_once_its_lease_expired_and_a_new_leader_was_elected()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("fence"), leaseTtlSeconds: 2);
        var elector = services.Get<LeaderElector>();
        var probe = services.Keys.Root + "probe";

        await using var a = await elector.CampaignAsync("a", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var bElected = elector.CampaignAsync("b", Ct);
        (await a.TryCommitAsync([Put(probe, "a")], Ct)).ShouldNotBeNull("the leader writes");
        bElected.IsCompleted.ShouldBeFalse("one leader at a time");

        // A frozen leader: its keep-alives stop, it still believes it leads. Its lease expires and b takes over.
        await a.Lease.AbandonAsync();
        await using var b = await bElected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        b.Revision.ShouldBeGreaterThan(a.Revision);

        (await a.TryCommitAsync([Put(probe, "stale a")], Ct)).ShouldBeNull("the deposed leader's fenced write is refused");
        a.IsLost.ShouldBeTrue();
        (await b.TryCommitAsync([Put(probe, "b")], Ct)).ShouldNotBeNull();
        (await etcd.Client.GetValAsync(probe, cancellationToken: Ct)).ShouldBe("b");
        (await elector.GetLeaderAsync(Ct))!.Value.Leader.Id.ShouldBe("b");
    }

    [Fact]
    public async Task A_leader_that_resigns_hands_over_well_before_its_ttl()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("resign"), leaseTtlSeconds: 5);
        var elector = services.Get<LeaderElector>();
        var a = await elector.CampaignAsync("a", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var bElected = elector.CampaignAsync("b", Ct);

        var handover = Stopwatch.StartNew();
        await a.DisposeAsync();
        await using var b = await bElected.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        handover.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2), "the standby sees the leader key deleted, not the TTL");
        (await a.TryCommitAsync([Put(services.Keys.Root + "probe", "a")], Ct)).ShouldBeNull();
    }

    private static RequestOp Put(string key, string value) =>
        new() { RequestPut = new PutRequest { Key = CoordinationKeys.Bytes(key), Value = Google.Protobuf.ByteString.CopyFromUtf8(value) } };
}
