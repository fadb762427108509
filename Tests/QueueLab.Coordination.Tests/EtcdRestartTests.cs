using dotnet_etcd;
using Etcdserverpb;
using QueueLab.Lab.Faults;
using QueueLab.Rabbit;
using QueueLab.Testing;

namespace QueueLab.Coordination.Tests;

[Collection(EtcdCollection.Name)]
public sealed class EtcdRestartTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registration_and_assignment_watch_recover_when_etcd_restarts()
    {
        using var services = etcd.Services(EtcdFixture.NewRoot("restart"), leaseTtlSeconds: 3);
        var keys = services.Keys;
        await services.Get<QueueConfigurationStore>().SeedIfAbsentAsync([.. LabTopology.DefaultQueues], Ct);
        await Assign(keys, 1, "queue-1");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var registration = services.Get<ConsumerRegistrar>().RunAsync("c1", stop.Token);
        await using var assignments = services.Get<AssignmentWatcher>().WatchAsync("c1", stop.Token).GetAsyncEnumerator(stop.Token);
        (await assignments.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct)).ShouldBeTrue();
        assignments.Current.Generation.ShouldBe(1);

        await RestartEtcdAsync();

        // The watch reconnects: an assignment written after the restart arrives.
        await Poll.UntilAsync(async () => { await Assign(keys, 2, "queue-2"); return true; }, Timeout, "etcd accepts writes again", cancellationToken: Ct);
        (await assignments.MoveNextAsync().AsTask().WaitAsync(Timeout, Ct)).ShouldBeTrue();
        assignments.Current.Generation.ShouldBe(2);
        assignments.Current.Queues.Select(q => q.Name).ShouldBe(["queue-2"]);

        // The registration is still (or again) there and kept alive past its TTL.
        await Poll.UntilAsync(async () => (await etcd.Client.GetAsync(keys.Consumer("c1"), cancellationToken: Ct)).Kvs.Count == 1,
            Timeout, "c1 is registered after the restart", cancellationToken: Ct);
        await stop.CancelAsync();
        await registration;
    }

    [Fact]
    public async Task Clients_authenticate_again_by_themselves_when_a_restarted_etcd_forgot_their_tokens()
    {
        // etcd keeps its auth tokens in memory only: after a restart every client holds a token etcd no longer knows.
        using var watching = etcd.Services(EtcdFixture.NewRoot("token-watch"));
        using var writing = etcd.Services(EtcdFixture.NewRoot("token-write"));
        var key = writing.Keys.Root + "probe";
        await watching.Get<EtcdClient>().PutAsync(watching.Keys.Root + "probe", "before", cancellationToken: Ct);
        await writing.Get<EtcdClient>().PutAsync(key, "before", cancellationToken: Ct);

        await RestartEtcdAsync();

        // A watch opened with the forgotten token has its watches cancelled (no Unauthenticated status the client
        // would act on); the watcher has its client authenticate again, and the watch is established.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(Timeout);
        var triggers = watching.Get<EtcdChangeWatcher>().WatchAsync([WatchTarget.Exact(watching.Keys.Root + "probe")], stop.Token);
        (await triggers.FirstAsync(t => t == ChangeTrigger.Initial, stop.Token)).ShouldBe(ChangeTrigger.Initial);

        // A unary call is refused once as Unauthenticated and sent again with a new token: the caller sees one success.
        await writing.Get<EtcdClient>().PutAsync(key, "after", cancellationToken: Ct);
        (await writing.Get<EtcdClient>().GetValAsync(key, cancellationToken: Ct)).ShouldBe("after");
    }

    /// <summary>Aspire's stop and start of etcd, returning once the new process is healthy. (Waiting for "healthy" right
    /// after Aspire's restart command can still see the stopped process's terminal state and give up.)</summary>
    private async Task RestartEtcdAsync() =>
        await etcd.Faults.Servers.RestartAsync(ResourceNames.Etcd, RestartKind.Graceful, Ct).WaitAsync(Timeout, Ct);

    private async Task Assign(CoordinationKeys keys, long generation, params string[] queues) =>
        await etcd.Client.PutAsync(new PutRequest
        {
            Key = CoordinationKeys.Bytes(keys.Assignment("c1")),
            Value = CoordinationJson.Serialize(new AssignmentDocument(queues, generation, 1, "test")),
        }, cancellationToken: Ct);
}
