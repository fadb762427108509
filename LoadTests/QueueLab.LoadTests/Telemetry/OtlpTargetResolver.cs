using System.Diagnostics;
using OpenTelemetry.Exporter;
using QueueLab.AppHost.Infrastructure;

namespace QueueLab.LoadTests.Telemetry;

/// <summary>
/// Decides where the load tests export telemetry: the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> / <c>_HEADERS</c>) when set; otherwise the dashboard of a <c>./queuelab run</c> lab,
/// from the <see cref="DashboardOtlpFile"/> its AppHost keeps in the lab state folder while it runs (ignored when that
/// AppHost process is gone: its key died with it); otherwise nowhere. <c>OTEL_SDK_DISABLED=true</c> turns it off.
/// </summary>
public static class OtlpTargetResolver
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string HeadersVariable = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string DisabledVariable = "OTEL_SDK_DISABLED";

    /// <summary>The lab state folder of <c>./queuelab run</c> (the script's own variable).</summary>
    public const string StateDirectoryVariable = "QUEUELAB_STATE_DIR";

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

        if (stateDirectory is null
            || DashboardOtlpFile.Read(Path.Combine(stateDirectory, DashboardOtlpFile.FileName)) is not { } file
            || !processAlive(file.AppHostProcessId)
            || !Uri.TryCreate(file.Endpoint, UriKind.Absolute, out var endpoint)
            || Protocol(file.Protocol) is not { } protocol)
        {
            return null;
        }

        return new OtlpTarget(endpoint, protocol, file.Headers, Path.Combine(stateDirectory, DashboardOtlpFile.FileName), FromEnvironment: false);
    }

    /// <summary>The lab state folder to look in: <c>QUEUELAB_STATE_DIR</c>, else <c>.queuelab</c> at the repository root.</summary>
    public static string? StateDirectory(Func<string, string?> environment, string workingDirectory)
    {
        if (environment(StateDirectoryVariable) is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QueueLab.sln")))
            {
                return Path.Combine(dir.FullName, ".queuelab");
            }
        }

        return null;
    }

    public static bool ProcessAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static OtlpExportProtocol? Protocol(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
