using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using QueueLab.Coordinator;
using QueueLab.Rabbit;
using QueueLab.Testing;

namespace QueueLab.Coordination.Tests;

/// <summary>Two coordinator replicas in-process against the real etcd, with consumers simulated by leased registrations.</summary>
[Collection(EtcdCollection.Name)]
public sealed class CoordinatorTests(EtcdFixture etcd)
{
    private const int LeaseTtlSeconds = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_leader_allocates_by_priority_rebalances_on_changes_and_the_standby_takes_over()
    {
        var root = EtcdFixture.NewRoot("coord");
        using var services = etcd.Services(root, LeaseTtlSeconds);
        var reader = services.Get<CoordinationStateReader>();
        var registrar = services.Get<ConsumerRegistrar>();
        await using var a = await CoordinatorApp.StartAsync(etcd.ConnectionString, root, "coord-a", LeaseTtlSeconds, Ct);
        await using var b = await CoordinatorApp.StartAsync(etcd.ConnectionString, root, "coord-b", LeaseTtlSeconds, Ct);

        var consumers = new List<EtcdLease>();
        try
        {
            for (var i = 1; i <= 6; i++)
            {
                consumers.Add(await registrar.RegisterAsync($"consumer-{i}", Ct));
            }

            // Seeded from configuration (the seed's 4, 1, 1) and allocated 4, 1, 1 over six consumers.
            await WaitForCountsAsync(reader, 6, [4, 1, 1], "6 consumers over priorities 4,1,1 give 4,1,1");
            var leader = await Poll.ForAsync(() => a.Http.GetFromJsonAsync<LeaderView>("/leader", Ct)!, l => l?.Leader is not null, Timeout, "a leader is known", cancellationToken: TestContext.Current.CancellationToken);
            var (active, standby) = leader!.Leader == "coord-a" ? (a, b) : (b, a);
            active.Status.Role.ShouldBe(CoordinatorRole.Leader);
            standby.Status.Role.ShouldBe(CoordinatorRole.Standby);

            // A consumer dies (keep-alives stop): its queue is reassigned within the lease TTL plus a second.
            var died = Stopwatch.StartNew();
            await consumers[0].AbandonAsync();
            await WaitForCountsAsync(reader, 5, [3, 1, 1], "5 consumers give 3,1,1", TimeSpan.FromSeconds(LeaseTtlSeconds + 3));
            TestContext.Current.TestOutputHelper?.WriteLine($"Consumer lease abandoned: rebalanced {died.Elapsed.TotalSeconds:0.00} s later (TTL {LeaseTtlSeconds} s).");
            died.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(LeaseTtlSeconds + 1.5));

            // Invalid configuration over HTTP: 400 with the reasons, nothing changed.
            var refused = await standby.Http.PutAsJsonAsync("/queues/queue-2", new { priority = 0 }, Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("priority of 1 or more");

            // The leader stops gracefully; the standby takes over, and the next change still applies.
            await active.StopAsync();
            await Poll.UntilAsync(() => standby.Status.Role == CoordinatorRole.Leader, Timeout, "the standby becomes leader", cancellationToken: TestContext.Current.CancellationToken);
            var changed = await standby.Http.PutAsJsonAsync("/queues/queue-2", new { priority = 4 }, Ct);
            changed.StatusCode.ShouldBe(HttpStatusCode.OK);
            await WaitForCountsAsync(reader, 5, [2, 2, 1], "5 consumers over priorities 4,4,1 give 2,2,1");

            var view = await standby.Http.GetFromJsonAsync<AssignmentsView>("/assignments", Ct);
            view!.ConsumersPerQueue.ShouldBe(new Dictionary<string, int> { ["queue-1"] = 2, ["queue-2"] = 2, ["queue-3"] = 1 });
            view.Consumers.Where(c => c.Live).ShouldAllBe(c => c.Queues.Count == 1);
            var queues = await standby.Http.GetFromJsonAsync<List<QueueView>>("/queues", Ct);
            queues!.Single(q => q.Name == "queue-2").Priority.ShouldBe(4);

            // Telemetry: the leader reports each live consumer's assigned queues.
            var gauges = ObserveAssignedQueues();
            gauges.Count.ShouldBe(5);
            gauges.Values.ShouldAllBe(v => v == 1);

            // Two terms so far (the first leader and the standby), and a rebalance per change.
            (a.Metrics.LeaderChangesTotal + b.Metrics.LeaderChangesTotal).ShouldBe(2);
            (a.Metrics.RebalancesTotal + b.Metrics.RebalancesTotal).ShouldBeGreaterThanOrEqualTo(3);
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync();
            }
        }
    }

    /// <summary>One collection of the <c>queuelab.coordinator.assigned_queues</c> gauge: consumer to queue count.</summary>
    private static Dictionary<string, int> ObserveAssignedQueues()
    {
        var values = new Dictionary<string, int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CoordinatorMetrics.Name && instrument.Name == "queuelab.coordinator.assigned_queues")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == CoordinatorMetrics.ConsumerTag)
                {
                    values[(string)tag.Value!] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static async Task WaitForCountsAsync(CoordinationStateReader reader, int consumers, int[] counts, string because, TimeSpan? timeout = null) =>
        await Poll.UntilAsync(async () =>
        {
            var snapshot = await reader.ReadAsync(Ct);
            var live = snapshot.Assignments.Where(a => snapshot.Consumers.Contains(a.Key)).ToList();
            var perQueue = LabTopology.DefaultQueues.Select(q => live.Count(a => a.Value.Queues.Contains(q.Name))).ToArray();
            return snapshot.Consumers.Count == consumers && live.Count == consumers && perQueue.SequenceEqual(counts);
        }, timeout ?? Timeout, because, cancellationToken: Ct);
}
