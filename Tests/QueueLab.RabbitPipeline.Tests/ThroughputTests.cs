using System.Diagnostics;
using System.Net.Http.Json;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>
/// Measures phase 2 end to end (publish through the publisher's confirm window → final state in PostgreSQL) next to
/// the raw publish-and-consume rate of the same RabbitMQ in the same run. Prints both; asserts that every message
/// arrived, not a speed (the machines are shared).
/// </summary>
[Collection(Phase2Collection.Name)]
public sealed class ThroughputTests(Phase2Fixture lab)
{
    private const int Count = 5000;
    private const int RawWindow = 256;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Phase2_throughput_from_publish_to_final_state_is_measured_next_to_the_raw_broker_rate()
    {
        var prefix = $"tp-{Guid.NewGuid():N}"[..12];
        var messages = Enumerable.Range(0, Count).Select(i => (i % 3) switch
        {
            0 => new { exchange = LabTopology.DirectExchange, routingKey = "orders", messageId = $"{prefix}-{i}", payload = "tp" },
            1 => new { exchange = LabTopology.TopicExchange, routingKey = "orders.eu.created", messageId = $"{prefix}-{i}", payload = "tp" },
            _ => new { exchange = LabTopology.FanoutExchange, routingKey = "", messageId = $"{prefix}-{i}", payload = "tp" },
        }).ToList();

        var clock = Stopwatch.StartNew();
        var response = await lab.Publisher.PostAsJsonAsync("/messages/batch", new { messages }, Ct);
        response.EnsureSuccessStatusCode();
        var confirmedAt = clock.Elapsed;
        await Poll.UntilAsync(async () => await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith(prefix + "-"), Ct) == Count,
            TimeSpan.FromMinutes(3), $"all {Count} final states are stored", cancellationToken: TestContext.Current.CancellationToken);
        var pipeline = clock.Elapsed;

        var raw = await RawPublishAndConsumeAsync();

        var report =
            $"phase 2, {Count} messages, {RabbitLabFixture.Consumers} consumers: confirmed in {confirmedAt.TotalSeconds:0.00} s " +
            $"({Count / confirmedAt.TotalSeconds:0} msgs/s), publish -> final state {pipeline.TotalSeconds:0.00} s = {Count / pipeline.TotalSeconds:0} msgs/s; " +
            $"raw RabbitMQ (quorum queue, {RawWindow} confirms in flight, prefetch 500): publish {Count / raw.Publish.TotalSeconds:0} msgs/s, " +
            $"publish+consume {Count / raw.Total.TotalSeconds:0} msgs/s";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report);
        await File.AppendAllTextAsync(Path.Combine(AppContext.BaseDirectory, "rabbit-throughput.txt"),
            $"{DateTime.UtcNow:O} {report}{Environment.NewLine}", Ct);
        (Count / pipeline.TotalSeconds).ShouldBeGreaterThan(0);
    }

    private async Task<(TimeSpan Publish, TimeSpan Total)> RawPublishAndConsumeAsync()
    {
        await using var channel = await lab.Rabbit.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null), Ct);
        var queue = $"raw-{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: Ct);
        var body = new byte[100];
        var received = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var consumerChannel = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct);
        await consumerChannel.BasicQosAsync(0, 500, false, Ct);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false, Ct);
            if (Interlocked.Increment(ref received) == Count)
            {
                allReceived.TrySetResult();
            }
        };

        var clock = Stopwatch.StartNew();
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);
        var inFlight = new List<ValueTask>(RawWindow);
        for (var i = 0; i < Count; i++)
        {
            inFlight.Add(channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, body, Ct));
            if (inFlight.Count == RawWindow)
            {
                foreach (var publish in inFlight)
                {
                    await publish;
                }

                inFlight.Clear();
            }
        }

        foreach (var publish in inFlight)
        {
            await publish;
        }

        var published = clock.Elapsed;
        await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        var total = clock.Elapsed;
        await channel.QueueDeleteAsync(queue, cancellationToken: Ct);
        return (published, total);
    }
}
