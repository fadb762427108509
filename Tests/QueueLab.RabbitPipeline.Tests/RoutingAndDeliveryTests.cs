using System.Diagnostics;
using System.Net.Http.Json;
using QueueLab.Rabbit;
using QueueLab.Testing;

namespace QueueLab.RabbitPipeline.Tests;

[Collection(Phase2Collection.Name)]
public sealed class RoutingAndDeliveryTests(Phase2Fixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Thousand_messages_across_three_exchange_types_reach_their_final_state_once_per_routed_queue()
    {
        const int count = 1000;
        var prefix = $"route-{Guid.NewGuid():N}"[..14];
        string[] regions = ["eu", "us", "ap"];
        var messages = Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => (Id: $"{prefix}-{i:D4}", Exchange: LabTopology.DirectExchange, Key: "orders"),
            1 => (Id: $"{prefix}-{i:D4}", Exchange: LabTopology.TopicExchange, Key: $"orders.{regions[i % regions.Length]}.created"),
            _ => (Id: $"{prefix}-{i:D4}", Exchange: LabTopology.FanoutExchange, Key: $"any-{i}"),
        }).ToList();
        var expected = messages
            .SelectMany(m => Routing.QueuesFor(m.Exchange, m.Key, LabTopology.DefaultQueues).Select(q => (m.Id, Queue: q)))
            .ToHashSet();
        expected.Select(e => e.Queue).Distinct().Count().ShouldBe(3, "the mix reaches all three queues");

        var started = Stopwatch.StartNew();
        var response = await lab.Publisher.PostAsJsonAsync("/messages/batch",
            new { messages = messages.Select(m => new { exchange = m.Exchange, routingKey = m.Key, messageId = m.Id, payload = "load" }) }, Ct);
        response.EnsureSuccessStatusCode();
        var batch = await response.Content.ReadFromJsonAsync<BatchResult>(Ct);
        batch!.Confirmed.ShouldBe(count, $"every publish is confirmed ({batch.Failed} failed, {batch.Unroutable} unroutable)");
        var publishedIn = started.Elapsed;

        await Poll.UntilAsync(async () => await StoredCountAsync(prefix) >= expected.Count, TimeSpan.FromSeconds(90),
            $"{expected.Count} final states are stored", cancellationToken: TestContext.Current.CancellationToken);
        var storedIn = started.Elapsed;

        var stored = (await lab.Probe.FinalStatesAsync(MessageIdPattern.StartingWith(prefix), Ct)).Select(p => (p.MessageId, p.Queue)).ToHashSet();

        stored.SetEquals(expected).ShouldBeTrue($"stored {stored.Count}, expected {expected.Count}; missing {expected.Except(stored).Count()}, unexpected {stored.Except(expected).Count()}");
        (await lab.Probe.LogCountAsync(MessageIdPattern.StartingWith(prefix), RabbitProbe.ProcessedOutcomes, cancellationToken: Ct))
            .ShouldBe(expected.Count, "each routed copy was processed exactly once");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{count} messages: confirmed in {publishedIn.TotalMilliseconds:0} ms, all {expected.Count} final states in {storedIn.TotalMilliseconds:0} ms ({expected.Count / storedIn.TotalSeconds:0} msgs/s publish -> final state)");
    }

    private Task<long> StoredCountAsync(string prefix) => lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix), Ct);

    private sealed record BatchResult(int Requested, int Confirmed, int Unroutable, int Failed, int Rejected);
}
