using System.Diagnostics;
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
/// Every message is one trace across the services that handled it, read back from the dashboard's telemetry API (what
/// <c>aspire otel traces</c> reads), and the services' own polling and housekeeping make no trace of their own. The
/// test is the producer: it gives each message a W3C trace context (pipeline B: the input's <c>traceparent</c> field;
/// pipeline A: the <c>traceparent</c> header of its publish request, which the publisher carries into the AMQP headers).
/// </summary>
[Collection(WholeLabCollection.Name)]
public sealed class TraceTests(WholeLabFixture lab)
{
    private const int Messages = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ActivityContext NewSampledContext() =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

    private static string TraceParent(ActivityContext context) => $"00-{context.TraceId}-{context.SpanId}-01";

    [Fact]
    public async Task Every_ordered_message_is_one_trace_through_the_processor_and_the_sequencer()
    {
        await using var ordering = await OrderingProbe.ConnectAsync(await lab.GetConnectionStringAsync(ResourceNames.Cache), clientName: "queuelab-tests");
        var (first, outputStart) = await ordering.BeginAsync(Patience, Ct);
        var contexts = Enumerable.Range(0, Messages).Select(_ => NewSampledContext()).ToList();
        await ordering.PushAsync(contexts.Select((c, i) =>
            (RedisValue)OrderingJson.Serialize(new OrderingMessage(first + i, $"traced-{i}", DateTimeOffset.UtcNow, TraceParent(c)))));
        await ordering.WaitForOutputAsync(outputStart, Messages, Patience, Ct);

        await ShouldBeOneTraceEachAsync(contexts, [ResourceNames.Processor, ResourceNames.Sequencer], ["process", "sequence"]);
    }

    [Fact]
    public async Task Every_published_message_is_one_trace_through_the_publisher_and_a_consumer()
    {
        using var publisher = lab.App.CreateHttpClient(ResourceNames.Publisher);
        var contexts = Enumerable.Range(0, Messages).Select(_ => NewSampledContext()).ToList();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < contexts.Count; i++)
        {
            await PublishTracedAsync(publisher, contexts[i], $"traced-{run}-{i}");
        }

        await ShouldBeOneTraceEachAsync(contexts, [ResourceNames.Publisher, ResourceNames.Consumer], ["publish", "process"]);
    }

    [Fact]
    public async Task Polling_and_housekeeping_calls_start_no_trace_of_their_own()
    {
        // An idle lab polls Redis (processors, the sequencer), keeps its etcd leases and locks alive and checks its stores
        // every few hundred milliseconds: before the sampler left those out they made thousands of one-span traces a
        // minute. First show that client spans are recorded and exported when they belong to an operation: a message's
        // trace holds the consumer's Redis and PostgreSQL calls.
        using var publisher = lab.App.CreateHttpClient(ResourceNames.Publisher);
        var context = NewSampledContext();
        await PublishTracedAsync(publisher, context, $"traced-housekeeping-{Guid.NewGuid():N}");

        await Poll.UntilAsync(async () => (await lab.Telemetry.TraceAsync(context.TraceId.ToHexString(), Ct))
                .Any(s => s.Resource == ResourceNames.Consumer && s.Kind == SpanKind.Client && !s.IsRoot),
            Patience, "the message's trace holds a client call of the consumer's", TimeSpan.FromMilliseconds(500), Ct);
        var observed = lab.StartedAt + ObservationWindow - DateTimeOffset.UtcNow;
        if (observed > TimeSpan.Zero)
        {
            // Not a wait for a condition: the window whose traces are counted.
            await Task.Delay(observed, Ct);
        }

        var spans = await lab.Telemetry.TracesAsync(cancellationToken: Ct);

        spans.ShouldContain(s => s.Kind == SpanKind.Client, "client calls inside operations are recorded");
        var clientRoots = spans.Where(s => s.IsRoot && s.Kind == SpanKind.Client).ToList();
        clientRoots.ShouldBeEmpty("a client call outside any operation starts no trace; found: "
            + string.Join(", ", clientRoots.GroupBy(s => $"{s.Resource} {s.Name}").Select(g => $"{g.Key} x{g.Count()}")));
    }

    /// <summary>How long the lab runs before its traces are counted: some hundred polls of every poller.</summary>
    private static readonly TimeSpan ObservationWindow = TimeSpan.FromSeconds(20);

    /// <summary>Publishes one message through the publisher's API with <paramref name="context"/> as its trace parent.</summary>
    private static async Task PublishTracedAsync(HttpClient publisher, ActivityContext context, string messageId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/messages")
        {
            Content = JsonContent.Create(new { exchange = "queuelab.direct", routingKey = "orders", messageId, payload = "{}" }),
        };
        request.Headers.Add("traceparent", TraceParent(context));
        using var response = await publisher.SendAsync(request, Ct);
        response.IsSuccessStatusCode.ShouldBeTrue($"publish {messageId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    /// <summary>Waits until the dashboard holds, for each context, one trace whose spans came from every one of
    /// <paramref name="resources"/>, include a span whose name starts with each of <paramref name="spanNames"/>, and all
    /// descend from the producer's span (a parent still in another service's export batch is waited for).</summary>
    private async Task ShouldBeOneTraceEachAsync(IReadOnlyList<ActivityContext> contexts, string[] resources, string[] spanNames)
    {
        var traces = new Dictionary<ActivityTraceId, IReadOnlyList<TelemetrySpan>>();
        string Missing(ActivityContext c)
        {
            if (!traces.TryGetValue(c.TraceId, out var spans) || spans.Count == 0)
            {
                return "no trace";
            }

            var ids = spans.Select(s => s.SpanId).Append(c.SpanId.ToHexString()).ToHashSet(StringComparer.Ordinal);
            return string.Join(", ", resources.Where(r => !spans.Any(s => s.Resource == r)).Select(r => "no span from " + r)
                .Concat(spanNames.Where(n => !spans.Any(s => s.Name.StartsWith(n, StringComparison.Ordinal))).Select(n => $"no '{n}' span"))
                .Concat(spans.Where(s => s.TraceId != c.TraceId.ToHexString()).Select(s => $"span {s.SpanId} of trace {s.TraceId}"))
                .Concat(spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId))
                    .Select(s => $"{s.Resource} '{s.Name}' does not descend from the producer's span")));
        }

        try
        {
            await Poll.UntilAsync(async () =>
            {
                foreach (var context in contexts.Where(c => Missing(c).Length > 0))
                {
                    traces[context.TraceId] = await lab.Telemetry.TraceAsync(context.TraceId.ToHexString(), Ct);
                }

                return contexts.All(c => Missing(c).Length == 0);
            }, Patience, "every message's trace reaches the dashboard, one tree with a span from every stage", TimeSpan.FromMilliseconds(500), Ct);
        }
        catch (TimeoutException e)
        {
            throw new ShouldAssertException(string.Join("; ", contexts.Select((c, i) => (c, i)).Where(x => Missing(x.c).Length > 0)
                .Select(x => $"message {x.i} ({x.c.TraceId}): {Missing(x.c)}")) + (e.InnerException is { } inner ? $" (last error: {inner.Message})" : ""), e);
        }
    }
}
