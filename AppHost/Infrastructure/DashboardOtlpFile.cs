using System.Text.Json;
using System.Text.Json.Serialization;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// Where a process the AppHost did not start (the load tests command line) sends OpenTelemetry so the running lab's
/// dashboard shows it: the dashboard's OTLP endpoint, its protocol and the <c>x-otlp-api-key</c> header the dashboard
/// checks (Aspire generates a new key on every start, as <c>AppHost:OtlpApiKey</c>, and hands it to the resources it
/// starts in <c>OTEL_EXPORTER_OTLP_HEADERS</c>). Kept in the lab state folder beside <c>credentials.json</c>, readable
/// by its owner only, and removed when the AppHost stops.
/// </summary>
public sealed record DashboardOtlpFile(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("headers")] string? Headers,
    [property: JsonPropertyName("appHostProcessId")] int AppHostProcessId)
{
    public const string FileName = "dashboard-otlp.json";

    public const string ApiKeyHeader = "x-otlp-api-key";

    /// <summary>
    /// What the AppHost tells its own resources, from its configuration: the dashboard's OTLP/gRPC endpoint
    /// (preferred, as Aspire does) or its OTLP/HTTP one, and the API key. Null when the dashboard has no OTLP endpoint.
    /// </summary>
    public static DashboardOtlpFile? From(Func<string, string?> configuration, int appHostProcessId)
    {
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
        return new DashboardOtlpFile(endpoint, protocol, string.IsNullOrEmpty(key) ? null : $"{ApiKeyHeader}={key}", appHostProcessId);
    }

    /// <summary>Writes the file so that no other user can read it at any moment: created 0600 under a temporary name, then renamed.</summary>
    public void Write(string path)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, create))
            {
                JsonSerializer.Serialize(stream, this);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads the file; null when it is absent or not a valid one.</summary>
    public static DashboardOtlpFile? Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<DashboardOtlpFile>(File.ReadAllText(path));
            return file is { Endpoint.Length: > 0, Protocol.Length: > 0 } ? file : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string? First(Func<string, string?> configuration, params string[] keys) =>
        keys.Select(configuration).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
}
