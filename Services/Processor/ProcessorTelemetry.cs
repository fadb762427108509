using System.Diagnostics;
using QueueLab.Ordering.Contracts;

namespace QueueLab.Processor;

/// <summary>The processor's ActivitySource and Meter share this name.</summary>
public static class ProcessorTelemetry
{
    public const string Name = "QueueLab.Processor";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Starts the <c>process {seq}</c> span of a message (a child of its <c>traceparent</c> when it has one) without
    /// making it the ambient activity, so the spans of a batch are siblings, not a chain. Only a span the sampler
    /// records gets its name and tags (under load most messages are not sampled: see ServiceDefaults' TraceSampling).
    /// </summary>
    public static Activity? StartProcess(OrderingMessage message, string input, DateTimeOffset startTime)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        var previous = Activity.Current;
        var activity = Source.StartActivity("process", ActivityKind.Consumer, parent, startTime: startTime);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"process {message.Seq}";
            activity.SetTag("messaging.system", "redis");
            activity.SetTag("messaging.destination.name", input);
            activity.SetTag("messaging.message.id", message.Seq);
        }

        return activity;
    }

    /// <summary>The trace context a message's result carries to the sequencer (stream field <c>tp</c>): the process span
    /// when it is sampled, else whatever the input carried (the sequencer continues only sampled traces).</summary>
    public static string TraceParentFor(Activity? activity, OrderingMessage message) =>
        activity is { Recorded: true } ? activity.Id ?? "" : message.TraceParent ?? "";
}
