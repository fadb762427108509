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

    /// <summary>
    /// Starts the span of one call that serves a whole batch (<paramref name="operation"/> <c>{n}</c>: the completion
    /// script, PostgreSQL's reservation), as the ambient activity so that the Redis call it wraps joins it: a child of the
    /// first sampled message's <c>process</c> span, with a link to every other sampled one, so each message's trace
    /// reaches the call that served it. Null when no message of the batch is sampled: the call then starts no trace of its
    /// own, as a poll does. The caller disposes it and puts back the ambient activity it had.
    /// </summary>
    public static Activity? StartBatchCall(string operation, IEnumerable<Activity?> messages, int count)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity? parent = null;
        List<ActivityLink>? links = null;
        foreach (var message in messages)
        {
            if (message is not { Recorded: true })
            {
                continue;
            }

            if (parent is null)
            {
                parent = message;
            }
            else
            {
                (links ??= []).Add(new ActivityLink(message.Context));
            }
        }

        if (parent is null)
        {
            return null;
        }

        var activity = Source.StartActivity(operation, ActivityKind.Internal, parent.Context, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = $"{operation} {count}";
            activity.SetTag("queuelab.batch.size", count);
            activity.SetTag("queuelab.batch.sampled", 1 + (links?.Count ?? 0));
        }

        return activity;
    }

    /// <summary>The trace context a message's result carries to the sequencer (stream field <c>tp</c>): the process span
    /// when it is sampled, else whatever the input carried (the sequencer continues only sampled traces).</summary>
    public static string TraceParentFor(Activity? activity, OrderingMessage message) =>
        activity is { Recorded: true } ? activity.Id ?? "" : message.TraceParent ?? "";
}
