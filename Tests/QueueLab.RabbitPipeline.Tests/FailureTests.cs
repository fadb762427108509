using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using QueueLab.Rabbit;
using QueueLab.Testing;
using RabbitMQ.Client;

namespace QueueLab.RabbitPipeline.Tests;

[Collection(Phase2Collection.Name)]
public sealed class FailureTests(Phase2Fixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_kind_of_bad_input_ends_in_the_dead_letter_queue_with_its_reason_while_good_messages_flow()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var traceId = ActivityTraceId.CreateRandom();
        var good = new List<string>();
        var bad = new Dictionary<string, string>
        {
            [$"bad-json-{run}"] = DeadLetterReason.UnparseableBody.ToHeaderValue(),
            [$"bad-header-{run}"] = DeadLetterReason.MissingHeader.ToHeaderValue(),
            [$"bad-transition-{run}"] = DeadLetterReason.UnknownTransition.ToHeaderValue(),
            [$"bad-size-{run}"] = DeadLetterReason.OversizedBody.ToHeaderValue(),
        };

        await using var channel = await lab.Rabbit.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
        for (var i = 0; i < 10; i++)
        {
            await PublishGoodAsync(channel, $"good-{run}-{i}a", good);
            foreach (var (id, reason) in bad.Where((_, index) => index == i))
            {
                var headers = MessageFactory.Headers(id, StateTransitions.Validate);
                headers[MessageHeaders.TraceParent] = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";
                var body = MessageFactory.Body(new MessageBody("bad"));
                switch (reason)
                {
                    case "unparseable-body": body = Encoding.UTF8.GetBytes("{ not json"); break;
                    case "missing-header": headers.Remove(MessageHeaders.CurrentState); break;
                    case "unknown-transition": headers[MessageHeaders.NextState] = "SHIPPED"; break;
                    default: body = MessageFactory.Body(new MessageBody(new string('x', 70 * 1024))); break;
                }

                await PublishAsync(channel, headers, body);
            }

            await PublishGoodAsync(channel, $"good-{run}-{i}b", good);
        }

        var found = new Dictionary<string, (string Reason, string? TraceParent)>();
        await Poll.UntilAsync(async () =>
        {
            while (await channel.BasicGetAsync(LabTopology.DeadLetterQueue("queue-1"), autoAck: true, Ct) is { } result)
            {
                var headers = result.BasicProperties.Headers;
                var id = HeaderValues.GetString(headers, MessageHeaders.MessageId);
                if (id is not null && bad.ContainsKey(id))
                {
                    found[id] = (HeaderValues.GetString(headers, MessageHeaders.DeadLetterReason)!, HeaderValues.GetString(headers, MessageHeaders.TraceParent));
                    HeaderValues.GetString(headers, MessageHeaders.OriginalQueue).ShouldBe("queue-1");
                    HeaderValues.GetString(headers, MessageHeaders.DeadLetterDetail).ShouldNotBeNullOrWhiteSpace();
                }
            }

            return found.Count == bad.Count;
        }, Timeout, "every bad message is in queue-1's dead-letter queue", cancellationToken: TestContext.Current.CancellationToken);

        foreach (var (id, reason) in bad)
        {
            found[id].Reason.ShouldBe(reason, id);
            found[id].TraceParent.ShouldNotBeNull().ShouldContain(traceId.ToString(), customMessage: $"{id} stays in the publisher's trace");
        }

        await Poll.UntilAsync(async () => await lab.Probe.FinalStateCountAsync(MessageIdPattern.StartingWith($"good-{run}-"), Ct) == good.Count,
            Timeout, "the good messages around them are all stored", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.Probe.LogCountAsync(MessageIdPattern.Like($"bad-%-{run}"), ProcessingOutcomes.DeadLettered, cancellationToken: Ct))
            .ShouldBe(bad.Count, "the log records each dead-lettering");
    }

    [Fact]
    public async Task Processing_failures_are_retried_with_backoff_then_dead_lettered_when_retries_run_out()
    {
        var recovers = $"flaky-{Guid.NewGuid():N}";
        var hopeless = $"hopeless-{Guid.NewGuid():N}";
        await lab.PublishOneAsync(recovers, failTimes: 2);
        await lab.PublishOneAsync(hopeless, failTimes: 100);

        await Poll.UntilAsync(async () => await lab.FinalStateCountAsync(recovers) == 1, Timeout, "the flaky message succeeds on its third try", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.LogCountAsync(recovers, ProcessingOutcomes.Retried)).ShouldBe(2);

        await Poll.UntilAsync(async () => await lab.LogCountAsync(hopeless, ProcessingOutcomes.DeadLettered) == 1, Timeout,
            "the hopeless message is dead-lettered", cancellationToken: TestContext.Current.CancellationToken);
        (await lab.LogCountAsync(hopeless, ProcessingOutcomes.Retried)).ShouldBe(RabbitLabFixture.MaxRetries);
        (await lab.FinalStateCountAsync(hopeless)).ShouldBe(0);
        (await lab.Probe.LogCountAsync(MessageIdPattern.Exactly(hopeless), detailLike: DeadLetterReason.RetriesExhausted.ToHeaderValue() + "%", cancellationToken: Ct))
            .ShouldBe(1);
    }

    [Fact]
    public async Task The_publisher_refuses_a_message_id_the_consumer_would_dead_letter()
    {
        foreach (var id in new[] { "nul\0id", new string('x', MessageLimits.MaxMessageIdBytes + 1) })
        {
            using var response = await lab.Publisher.PostAsJsonAsync("/messages",
                new { exchange = LabTopology.DirectExchange, routingKey = "orders", messageId = id, payload = "x" }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("The message id ");
        }

        using var generator = await lab.Publisher.PostAsJsonAsync("/generator/start", new { count = 10, idPrefix = "tab\t" }, Ct);
        generator.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await generator.Content.ReadAsStringAsync(Ct)).ShouldContain("control character U+0009");
    }

    private static async Task PublishGoodAsync(IChannel channel, string id, List<string> good)
    {
        await PublishAsync(channel, MessageFactory.Headers(id, StateTransitions.Validate), MessageFactory.Body(new MessageBody("good")));
        good.Add(id);
    }

    private static async Task PublishAsync(IChannel channel, Dictionary<string, object?> headers, byte[] body) =>
        await channel.BasicPublishAsync(LabTopology.DirectExchange, "orders", mandatory: true,
            new BasicProperties { Persistent = true, Headers = headers }, body, Ct);
}
