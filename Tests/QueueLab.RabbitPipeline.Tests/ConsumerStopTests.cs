using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using QueueLab.Rabbit;

namespace QueueLab.RabbitPipeline.Tests;

[Collection(Phase2Collection.Name)]
public sealed class ConsumerStopTests(Phase2Fixture lab)
{
    private const int Count = 2000;
    private const int Rate = 100;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stopping_a_consumer_while_messages_flow_loses_nothing_and_processes_nothing_twice()
    {
        var prefix = $"stop-{Guid.NewGuid():N}"[..13];
        var replica = lab.Resources.Snapshots(ResourceNames.Consumer).Keys.Order().First();
        await using var channel = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct);
        var clock = Stopwatch.StartNew();

        // A paced run (about 20 s) so the stop lands while messages are flowing.
        (await lab.Publisher.PostAsJsonAsync("/generator/start",
            new { count = Count, rate = Rate, directWeight = 1, topicWeight = 1, fanoutWeight = 1, idPrefix = prefix }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await Poll.UntilAsync(async () => await StoredAsync(prefix) > 0, TimeSpan.FromSeconds(60), "the run is being consumed", cancellationToken: TestContext.Current.CancellationToken);

        try
        {
            // The command's own result is not reliable for a replica; the broker's consumer count is the evidence.
            await lab.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StopCommand, Ct);
            await Poll.UntilAsync(async () => (await channel.QueueDeclarePassiveAsync("queue-1", Ct)).ConsumerCount == RabbitLabFixture.Consumers - 1,
                TimeSpan.FromSeconds(30), "the stopped replica has cancelled its subscriptions", cancellationToken: TestContext.Current.CancellationToken);
            var storedAtStop = await StoredAsync(prefix);

            await Poll.UntilAsync(async () => await StoredAsync(prefix) == Count, TimeSpan.FromSeconds(120),
                $"all {Count} messages are stored although a consumer stopped during the run", cancellationToken: TestContext.Current.CancellationToken);
            (await lab.Probe.LogCountAsync(MessageIdPattern.StartingWith(prefix + "-"), RabbitProbe.ProcessedOutcomes, cancellationToken: Ct))
                .ShouldBe(Count, "no message was processed twice");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"stopped {replica} with {storedAtStop} of {Count} stored, all stored after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            await lab.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand, Ct);
            await Poll.UntilAsync(async () => (await channel.QueueDeclarePassiveAsync("queue-1", Ct)).ConsumerCount == RabbitLabFixture.Consumers,
                TimeSpan.FromSeconds(60), "the stopped replica consumes again", cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    private Task<long> StoredAsync(string prefix) => lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix + "-"), Ct);
}
