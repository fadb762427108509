using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using QueueLab.Lab.Ordering;
using QueueLab.Lab.Telemetry;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// The metrics a user looks for, per stage and per backlog, read back from the running services the way a script or a
/// scraper reads them (each service's <c>/metrics</c>: the same instruments the dashboard's metrics page shows; the
/// dashboard's telemetry API serves traces and logs, not metrics). Counts are compared with a reading taken before the
/// test's own messages, since the lab is shared with other tests.
/// </summary>
[Collection(WholeLabCollection.Name)]
public sealed class MetricsTests(WholeLabFixture lab)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_ordered_pipeline_reports_each_stage_and_exactly_where_its_backlog_waits()
    {
        await using var ordering = await OrderingProbe.ConnectAsync(await lab.GetConnectionStringAsync(ResourceNames.Cache), clientName: "queuelab-tests");
        using var processor = lab.App.CreateHttpClient(ResourceNames.Processor);
        using var sequencer = lab.App.CreateHttpClient(ResourceNames.Sequencer);
        var (first, outputStart) = await ordering.BeginAsync(Patience, Ct);
        var before = await ServiceMetrics.ScrapeAsync(processor, Ct);
        var sequencedBefore = (await ServiceMetrics.ScrapeAsync(sequencer, Ct)).Sum("queuelab_sequencer_sequence_duration_seconds_count");

        // Every seq but the first: all of them are processed and then wait in the reorder buffer for the first, so the
        // backlog is known exactly until the first arrives.
        const int held = 20;
        await ordering.PushAsync(Enumerable.Range(1, held).Select(i => Message(first + i)));
        ServiceMetrics? backlog = null;
        await Poll.UntilAsync(async () =>
        {
            backlog = await ServiceMetrics.ScrapeAsync(sequencer, Ct);
            return backlog.Value("queuelab_ordering_reorder_buffer_depth") == held;
        }, Patience, $"the leader reports {held} results waiting in the reorder buffer", TimeSpan.FromMilliseconds(200), Ct);
        backlog!.Value("queuelab_ordering_output_lag").ShouldBe(held, "nothing else is on its way, so the output is behind by the buffer");
        backlog.Value("queuelab_ordering_input_depth").ShouldBe(0);
        backlog.Value("queuelab_ordering_in_flight").ShouldBe(0);
        backlog.Value("queuelab_ordering_results_depth").ShouldBe(0);
        (await ordering.BacklogAsync()).OutputLag.ShouldBe(held, "the gauge says what Redis holds");

        await ordering.PushAsync([Message(first)]);
        await ordering.WaitForOutputAsync(outputStart, held + 1, Patience, Ct);
        await Poll.UntilAsync(async () => (await ServiceMetrics.ScrapeAsync(sequencer, Ct)).Value("queuelab_ordering_output_lag") == 0,
            Patience, "the output lag returns to 0 once every message is out", TimeSpan.FromMilliseconds(200), Ct);

        var after = await ServiceMetrics.ScrapeAsync(processor, Ct);
        (after.Sum("queuelab_processor_wait_duration_seconds_count") - before.Sum("queuelab_processor_wait_duration_seconds_count"))
            .ShouldBeGreaterThanOrEqualTo(held + 1, "every message's wait in the input is recorded");
        (after.Sum("queuelab_processor_process_duration_seconds_count") - before.Sum("queuelab_processor_process_duration_seconds_count"))
            .ShouldBeGreaterThanOrEqualTo(held + 1, "every message's processing is recorded");
        after.Has("queuelab_processor_in_flight").ShouldBeTrue("each processor reports its own in-flight count");
        var sequenced = (await ServiceMetrics.ScrapeAsync(sequencer, Ct)).Sum("queuelab_sequencer_sequence_duration_seconds_count") - sequencedBefore;
        sequenced.ShouldBeGreaterThanOrEqualTo(held + 1, "every message's time from processed to output is recorded");
    }

    [Fact]
    public async Task The_rabbit_pipeline_reports_each_stage_and_the_depth_of_every_queue_it_consumes()
    {
        using var publisher = lab.App.CreateHttpClient(ResourceNames.Publisher);
        using var consumer = lab.App.CreateHttpClient(ResourceNames.Consumer);
        var publishedBefore = (await ServiceMetrics.ScrapeAsync(publisher, Ct)).Sum("queuelab_publisher_confirm_duration_seconds_count");
        var before = await ServiceMetrics.ScrapeAsync(consumer, Ct);

        const int messages = 10;
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < messages; i++)
        {
            using var response = await publisher.PostAsJsonAsync("/messages",
                new { exchange = "queuelab.direct", routingKey = "orders", messageId = $"metrics-{run}-{i}", payload = "{}" }, Ct);
            response.IsSuccessStatusCode.ShouldBeTrue($"publish {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }

        ServiceMetrics? after = null;
        await Poll.UntilAsync(async () =>
        {
            after = await ServiceMetrics.ScrapeAsync(consumer, Ct);
            return after.Sum("queuelab_consumer_process_duration_seconds_count") - before.Sum("queuelab_consumer_process_duration_seconds_count") >= messages;
        }, Patience, $"the consumer records the processing of the {messages} messages", TimeSpan.FromMilliseconds(200), Ct);

        (after!.Sum("queuelab_consumer_wait_duration_seconds_count") - before.Sum("queuelab_consumer_wait_duration_seconds_count"))
            .ShouldBeGreaterThanOrEqualTo(messages, "every delivery's time in the queue is recorded (from the publisher's x-published-at)");
        ((await ServiceMetrics.ScrapeAsync(publisher, Ct)).Sum("queuelab_publisher_confirm_duration_seconds_count") - publishedBefore)
            .ShouldBeGreaterThanOrEqualTo(messages, "every publish's confirm time is recorded");
        after.Has("queuelab_consumer_in_flight").ShouldBeTrue();
        var acked = after.Sum("queuelab_consumer_acks_total") - before.Sum("queuelab_consumer_acks_total");
        var ackFrames = after.Sum("queuelab_consumer_ack_frames_total") - before.Sum("queuelab_consumer_ack_frames_total");
        acked.ShouldBeGreaterThanOrEqualTo(messages, "every processed delivery is acked");
        ackFrames.ShouldBeInRange(1, acked, "an ack frame acks one delivery or, as a multiple ack, several");

        var stats = await consumer.GetFromJsonAsync<ConsumerStatsView>("/stats", Ct);
        stats.ShouldNotBeNull();
        stats.Queues.ShouldNotBeEmpty();
        await Poll.UntilAsync(async () =>
        {
            var depths = (await ServiceMetrics.ScrapeAsync(consumer, Ct)).Series("queuelab_consumer_queue_depth").ToList();
            return stats.Queues.All(q => depths.Any(d => d.Label("messaging_destination_name") == q && d.Value >= 0));
        }, Patience, $"a depth for each queue the consumer consumes ({string.Join(", ", stats.Queues)})", TimeSpan.FromMilliseconds(200), Ct);
    }

    private static RedisValue Message(long seq) =>
        OrderingJson.Serialize(new OrderingMessage(seq, $"metrics-{seq}", DateTimeOffset.UtcNow));

    private sealed record ConsumerStatsView(IReadOnlyList<string> Queues);
}
