using System.Net;
using System.Text.Json;

namespace QueueLab.Lab.Telemetry;

/// <summary>One span as the dashboard stored it: the resource (service) that exported it, and OTLP's fields.</summary>
public sealed record TelemetrySpan(
    string Resource,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    SpanKind Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public bool IsRoot => string.IsNullOrEmpty(ParentSpanId);
}

/// <summary>OTLP's span kinds (the numbers the dashboard's API answers with).</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>
/// Reads the traces a running lab's services exported, back from the Aspire dashboard's telemetry API (the one
/// <c>aspire otel traces</c> / <c>spans</c> reads: <c>/api/telemetry/...</c>, OTLP JSON, the <c>x-api-key</c> header with
/// the key the AppHost gave the dashboard, <c>AppHost:DashboardApiKey</c>).
/// </summary>
public sealed class DashboardTelemetry : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="dashboard">The dashboard's address (a login URL will do: only its scheme, host and port are used).</param>
    /// <param name="apiKey">The dashboard's telemetry API key.</param>
    public DashboardTelemetry(Uri dashboard, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        _http = new HttpClient { BaseAddress = new Uri(dashboard.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Add("x-api-key", apiKey);
    }

    /// <summary>Every span of one trace (none when the dashboard has not received it yet).</summary>
    public Task<IReadOnlyList<TelemetrySpan>> TraceAsync(string traceId, CancellationToken cancellationToken = default) =>
        GetSpansAsync($"/api/telemetry/traces/{Uri.EscapeDataString(traceId)}", cancellationToken);

    /// <summary>Every span of the most recent <paramref name="limit"/> traces (the dashboard keeps 10,000 at most).</summary>
    public Task<IReadOnlyList<TelemetrySpan>> TracesAsync(int limit = 10_000, CancellationToken cancellationToken = default) =>
        GetSpansAsync($"/api/telemetry/traces?limit={limit}", cancellationToken);

    private async Task<IReadOnlyList<TelemetrySpan>> GetSpansAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // The dashboard answers 404 for a trace or resource it has not seen yet.
            return [];
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(document.RootElement);
    }

    /// <summary>The spans of the API's answer: <c>{"data": {"resourceSpans": [...]}}</c> in OTLP JSON.</summary>
    public static IReadOnlyList<TelemetrySpan> Parse(JsonElement answer)
    {
        var spans = new List<TelemetrySpan>();
        if (!answer.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("resourceSpans", out var resourceSpans) || resourceSpans.ValueKind != JsonValueKind.Array)
        {
            return spans;
        }

        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            var resource = Attributes(resourceSpan.GetProperty("resource")).GetValueOrDefault("service.name", "");
            foreach (var scopeSpan in resourceSpan.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scopeSpan.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new TelemetrySpan(
                        resource,
                        span.GetProperty("traceId").GetString() ?? "",
                        span.GetProperty("spanId").GetString() ?? "",
                        span.TryGetProperty("parentSpanId", out var parent) && parent.ValueKind == JsonValueKind.String ? parent.GetString() : null,
                        span.GetProperty("name").GetString() ?? "",
                        span.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.Number ? (SpanKind)kind.GetInt32() : SpanKind.Unspecified,
                        Attributes(span),
                        span.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Array
                            ? [.. links.EnumerateArray().Select(l => (l.GetProperty("traceId").GetString() ?? "", l.GetProperty("spanId").GetString() ?? ""))]
                            : []));
                }
            }
        }

        return spans;
    }

    /// <summary>An element's <c>attributes</c> (OTLP key/value pairs; the dashboard gives every value as a string).</summary>
    private static Dictionary<string, string> Attributes(JsonElement element)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("attributes", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var attribute in list.EnumerateArray())
            {
                // {"stringValue": "..."} (or intValue, boolValue, ...): the one property's value, as text.
                var text = "";
                if (attribute.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var typed in value.EnumerateObject())
                    {
                        text = typed.Value.ValueKind == JsonValueKind.String ? typed.Value.GetString() ?? "" : typed.Value.GetRawText();
                    }
                }

                attributes[attribute.GetProperty("key").GetString() ?? ""] = text;
            }
        }

        return attributes;
    }

    public void Dispose() => _http.Dispose();
}
