using System.Diagnostics;
using Etcdserverpb;
using QueueLab.Testing;

namespace QueueLab.Coordination.Tests;

[Collection(EtcdCollection.Name)]
public sealed class LeaseTests(EtcdFixture etcd)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_kept_registration_outlives_its_ttl_and_disappears_when_the_keep_alives_stop()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("lease"), leaseTtlSeconds: 2);
        var key = services.Keys.Consumer("c1");
        await using var lease = await services.Get<ConsumerRegistrar>().RegisterAsync("c1", Ct);
        (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.Count.ShouldBe(1);

        // Five confirmed keep-alives at TTL/3 span more than the 2 s TTL: the key must still be there.
        await Poll.UntilAsync(() => lease.KeepAlives >= 5, TimeSpan.FromSeconds(10), "five keep-alives are confirmed", cancellationToken: TestContext.Current.CancellationToken);
        (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.Count.ShouldBe(1);
        lease.IsLost.ShouldBeFalse();

        // A crash: keep-alives stop, nothing is revoked. etcd deletes the key once the TTL passes.
        var stopped = Stopwatch.StartNew();
        await lease.AbandonAsync();
        await Poll.UntilAsync(async () => (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.Count == 0,
            TimeSpan.FromSeconds(10), "the registration expires with its lease", cancellationToken: Ct);
        stopped.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2 + 1.5), "the key vanishes within TTL + 1.5 s");
    }

    [Fact]
    public async Task A_lease_revoked_in_etcd_is_reported_lost_and_a_disposed_registration_vanishes_at_once()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("revoke"), leaseTtlSeconds: 3);
        var lease = await services.Get<LeaseKeeper>().GrantAsync(Ct);
        await etcd.Client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.Id }, cancellationToken: Ct);
        await Poll.UntilAsync(() => lease.IsLost, TimeSpan.FromSeconds(5), "the keeper notices the lease is gone", cancellationToken: TestContext.Current.CancellationToken);
        lease.Lost.IsCancellationRequested.ShouldBeTrue();
        await lease.DisposeAsync();

        var key = services.Keys.Consumer("c2");
        var registration = await services.Get<ConsumerRegistrar>().RegisterAsync("c2", Ct);
        await registration.DisposeAsync();
        (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.Count.ShouldBe(0, "disposing revokes the lease");
    }

    [Fact]
    public async Task The_registrar_registers_again_after_its_lease_is_lost()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("rereg"), leaseTtlSeconds: 2);
        var key = services.Keys.Consumer("c3");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = services.Get<ConsumerRegistrar>().RunAsync("c3", stop.Token);

        var first = await Poll.ForAsync(async () => (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.FirstOrDefault(),
            kv => kv is not null, TimeSpan.FromSeconds(5), "c3 is registered", cancellationToken: TestContext.Current.CancellationToken);
        await etcd.Client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = first!.Lease }, cancellationToken: Ct);
        await Poll.UntilAsync(async () => (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.FirstOrDefault() is { } kv && kv.Lease != first.Lease,
            TimeSpan.FromSeconds(5), "c3 is registered again under a new lease", cancellationToken: Ct);

        await stop.CancelAsync();
        await running;
        (await etcd.Client.GetAsync(key, cancellationToken: Ct)).Kvs.Count.ShouldBe(0, "stopping deregisters at once");
    }
}
