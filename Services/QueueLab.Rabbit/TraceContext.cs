using System.Diagnostics;

namespace QueueLab.Rabbit;

/// <summary>W3C trace context in message headers, through the runtime's propagator (<c>traceparent</c>, <c>tracestate</c>, baggage).</summary>
public static class TraceContext
{
    public static void Inject(Activity? activity, IDictionary<string, object?> headers)
    {
        if (activity is null)
        {
            return;
        }

        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, key, value) =>
        {
            if (carrier is IDictionary<string, object?> h)
            {
                h[key] = value;
            }
        });
    }

    /// <summary>The parent context the publisher sent, or default when there is none.</summary>
    public static ActivityContext Extract(IDictionary<string, object?>? headers)
    {
        if (headers is null)
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, Getter, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    private static void Getter(object? carrier, string fieldName, out string? fieldValue, out IEnumerable<string>? fieldValues)
    {
        fieldValues = null;
        fieldValue = carrier is IDictionary<string, object?> h ? HeaderValues.GetString(h, fieldName) : null;
    }
}
