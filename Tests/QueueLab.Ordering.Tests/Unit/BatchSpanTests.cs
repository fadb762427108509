using System.Diagnostics;
using QueueLab.Processor;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

/// <summary>
/// The span of a call that serves a batch of messages (the processor's completion script): a child of the first sampled
/// message's span, linked to the other sampled ones, so every sampled message's trace reaches the call; none at all when
/// no message of the batch is sampled.
/// </summary>
public sealed class BatchSpanTests
{
    private static Activity Message(bool sampled)
    {
        var activity = new Activity("process");
        activity.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        activity.Start();
        activity.Stop();
        activity.ActivityTraceFlags = sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None;
        return activity;
    }

    /// <summary>A listener that records every span of the processor's source (disposing it stops listening).</summary>
    private static ActivityListener ListenToProcessor()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ProcessorTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public void The_batch_call_is_a_child_of_the_first_sampled_message_and_links_the_other_sampled_ones()
    {
        using var listener = ListenToProcessor();
        var previous = Activity.Current;
        Activity?[] messages = [Message(sampled: false), null, Message(sampled: true), Message(sampled: false), Message(sampled: true), Message(sampled: true)];

        using (var batch = ProcessorTelemetry.StartBatchCall("complete", messages, messages.Length))
        {
            batch.ShouldNotBeNull();
            Activity.Current.ShouldBeSameAs(batch, "the call it wraps (the Redis script) must run under it");
            batch.DisplayName.ShouldBe("complete 6");
            batch.TraceId.ShouldBe(messages[2]!.TraceId);
            batch.ParentSpanId.ShouldBe(messages[2]!.SpanId);
            batch.Links.Select(l => l.Context.SpanId).ShouldBe([messages[4]!.SpanId, messages[5]!.SpanId]);
            batch.GetTagItem("queuelab.batch.size").ShouldBe(6);
            batch.GetTagItem("queuelab.batch.sampled").ShouldBe(3);
        }

        Activity.Current = previous;
    }

    [Fact]
    public void A_batch_with_no_sampled_message_starts_no_span()
    {
        using var listener = ListenToProcessor();

        ProcessorTelemetry.StartBatchCall("complete", [Message(sampled: false), null, Message(sampled: false)], 3).ShouldBeNull();
    }
}
