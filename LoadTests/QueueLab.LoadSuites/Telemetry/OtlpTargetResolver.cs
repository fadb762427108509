using OpenTelemetry.Exporter;
using QueueLab.Lab.Hosting;

namespace QueueLab.LoadSuites.Telemetry;

/// <summary>
/// Decides where the load tests export telemetry: the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> / <c>_HEADERS</c>) when set; otherwise the dashboard of a <c>./queuelab run</c> lab,
/// from the <see cref="LabFile"/> its AppHost keeps in the lab state folder while it runs (ignored when that AppHost process
/// is gone: its key died with it); otherwise nowhere. <c>OTEL_SDK_DISABLED=true</c> turns it off.
/// </summary>
public static class OtlpTargetResolver
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string HeadersVariable = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string DisabledVariable = "OTEL_SDK_DISABLED";

    public static OtlpTarget? Resolve(Func<string, string?> environment, string? stateDirectory, Func<int, bool> processAlive)
    {
        if (bool.TryParse(environment(DisabledVariable), out var disabled) && disabled)
        {
            return null;
        }

        if (environment(EndpointVariable) is { Length: > 0 } configured)
        {
            return Uri.TryCreate(configured, UriKind.Absolute, out var uri)
                ? new OtlpTarget(uri, Protocol(environment(ProtocolVariable)) ?? OtlpExportProtocol.Grpc,
                    environment(HeadersVariable), EndpointVariable, FromEnvironment: true)
                : null;
        }

        var path = stateDirectory is null ? null : Path.Combine(stateDirectory, LabFile.FileName);
        if (path is null
            || LabFile.Read(path) is not { Dashboard: { } dashboard } file
            || !processAlive(file.AppHostProcessId)
            || !Uri.TryCreate(dashboard.Endpoint, UriKind.Absolute, out var endpoint)
            || Protocol(dashboard.Protocol) is not { } protocol)
        {
            return null;
        }

        return new OtlpTarget(endpoint, protocol, dashboard.Headers, path, FromEnvironment: false);
    }

    private static OtlpExportProtocol? Protocol(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
