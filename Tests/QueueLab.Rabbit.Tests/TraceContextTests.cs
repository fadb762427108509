using System.Diagnostics;

namespace QueueLab.Rabbit.Tests;

public sealed class TraceContextTests
{
    [Fact]
    public void Trace_context_survives_a_round_trip_through_headers()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "test.trace",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test.trace");
        using var activity = source.StartActivity("publish", ActivityKind.Producer)!;

        var headers = new Dictionary<string, object?>();
        TraceContext.Inject(activity, headers);
        headers.ShouldContainKey(MessageHeaders.TraceParent);

        // The broker hands string headers back as bytes.
        var received = headers.ToDictionary(h => h.Key, h => (object?)System.Text.Encoding.UTF8.GetBytes((string)h.Value!));
        var context = TraceContext.Extract(received);
        context.TraceId.ShouldBe(activity.TraceId);
        context.SpanId.ShouldBe(activity.SpanId);
        context.IsRemote.ShouldBeTrue();
    }

    [Fact]
    public void No_headers_give_no_parent()
    {
        TraceContext.Extract(null).ShouldBe(default);
        TraceContext.Extract(new Dictionary<string, object?>()).ShouldBe(default);
    }
}
