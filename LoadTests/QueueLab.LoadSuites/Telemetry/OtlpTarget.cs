using OpenTelemetry.Exporter;

namespace QueueLab.LoadSuites.Telemetry;

/// <summary>
/// Where the load tests send their OpenTelemetry. <see cref="FromEnvironment"/>: the standard <c>OTEL_EXPORTER_OTLP_*</c>
/// variables are set and the exporter reads them itself; otherwise the endpoint, protocol and headers come from the
/// running lab's <c>dashboard-otlp.json</c>. <see cref="Headers"/> holds the dashboard's API key: never print it.
/// </summary>
public sealed record OtlpTarget(Uri Endpoint, OtlpExportProtocol Protocol, string? Headers, string Source, bool FromEnvironment)
{
    /// <summary>The endpoint a signal is posted to: OTLP/HTTP needs the signal's path when the endpoint is set in code.</summary>
    public Uri SignalEndpoint(string signalPath) =>
        Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : Endpoint;

    /// <summary>What to tell the user: where, how, and from where it was configured; never the headers.</summary>
    public string Describe() =>
        $"{Endpoint.GetLeftPart(UriPartial.Authority)} (OTLP {(Protocol == OtlpExportProtocol.Grpc ? "grpc" : "http/protobuf")}, " +
        $"service {LoadTestsTelemetry.ServiceName}; from {Source}{(Headers is null ? "" : ", API key header set")})";
}
