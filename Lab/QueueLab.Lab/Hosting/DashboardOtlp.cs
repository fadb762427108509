using System.Text.Json.Serialization;

namespace QueueLab.Lab.Hosting;

/// <summary>
/// Where a process the AppHost did not start (the load suites' command line, any OTLP-speaking tool) sends OpenTelemetry
/// so the running lab's dashboard shows it: the dashboard's OTLP endpoint, its protocol and the <c>x-otlp-api-key</c>
/// header the dashboard checks (Aspire generates a new key on every start, as <c>AppHost:OtlpApiKey</c>).
/// </summary>
public sealed record DashboardOtlp(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("headers")] string? Headers)
{
    public const string ApiKeyHeader = "x-otlp-api-key";

    /// <summary>
    /// What the AppHost tells its own resources, from its configuration: the dashboard's OTLP/gRPC endpoint (preferred, as
    /// Aspire does) or its OTLP/HTTP one, and the API key. Null when the dashboard has no OTLP endpoint.
    /// </summary>
    public static DashboardOtlp? From(Func<string, string?> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var (endpoint, protocol) = First(configuration, "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL") is { } grpc
            ? (grpc, "grpc")
            : First(configuration, "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL") is { } http
                ? (http, "http/protobuf")
                : (null, null);
        if (endpoint is null || protocol is null)
        {
            return null;
        }

        var key = configuration("AppHost:OtlpApiKey");
        return new DashboardOtlp(endpoint, protocol, string.IsNullOrEmpty(key) ? null : $"{ApiKeyHeader}={key}");
    }

    private static string? First(Func<string, string?> configuration, params string[] keys) =>
        keys.Select(configuration).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
}
