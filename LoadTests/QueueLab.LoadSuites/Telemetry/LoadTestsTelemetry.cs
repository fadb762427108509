using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using QueueLab.LoadRunner;

using QueueLab.Lab.Hosting;

namespace QueueLab.LoadSuites.Telemetry;

/// <summary>
/// The command line's OpenTelemetry: the runner's metrics (<see cref="LoadRunnerTelemetry.MeterName"/>) and one span per
/// run, exported over OTLP as service <see cref="ServiceName"/> when <see cref="OtlpTargetResolver"/> finds a target.
/// Disposing flushes what is left. Only the command line sets this up; suites run from tests export nothing.
/// </summary>
public sealed class LoadTestsTelemetry : IDisposable
{
    public const string ServiceName = "loadtests";
    public const string ActivitySourceName = "QueueLab.LoadSuites";

    /// <summary>Metrics every second (as Aspire sets for its resources in development), unless OTEL_METRIC_EXPORT_INTERVAL says otherwise.</summary>
    private const int ExportIntervalMs = 1000;
    private const int ExportTimeoutMs = 5000;

    public static ActivitySource Source { get; } = new(ActivitySourceName);

    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _traces;

    private LoadTestsTelemetry(OtlpTarget? target, Func<string, string?> environment)
    {
        Target = target;
        if (target is null)
        {
            return;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(ServiceName, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}");
        var setInterval = string.IsNullOrEmpty(environment("OTEL_METRIC_EXPORT_INTERVAL"));
        _meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(LoadRunnerTelemetry.MeterName)
            .AddRuntimeInstrumentation()
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, target, "v1/metrics");
                if (setInterval)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = ExportIntervalMs;
                }
            })
            .Build();
        _traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(ActivitySourceName)
            .AddOtlpExporter(exporter => Configure(exporter, target, "v1/traces"))
            .Build();
    }

    /// <summary>Where the telemetry goes; null when nowhere.</summary>
    public OtlpTarget? Target { get; }

    public static LoadTestsTelemetry Start(OtlpTarget? target, Func<string, string?> environment) => new(target, environment);

    /// <summary>From the process environment and the lab state folder.</summary>
    public static LoadTestsTelemetry StartFromEnvironment()
    {
        var target = OtlpTargetResolver.Resolve(Environment.GetEnvironmentVariable,
            LabFile.StateDirectory(Environment.GetEnvironmentVariable(LabFile.StateDirectoryVariable), Directory.GetCurrentDirectory()),
            LabFile.ProcessAlive);
        return Start(target, Environment.GetEnvironmentVariable);
    }

    private static void Configure(OtlpExporterOptions exporter, OtlpTarget target, string signalPath)
    {
        if (target.FromEnvironment)
        {
            // The exporter has read OTEL_EXPORTER_OTLP_* itself (signal paths and all).
            return;
        }

        exporter.Protocol = target.Protocol;
        exporter.Endpoint = target.SignalEndpoint(signalPath);
        exporter.Headers = target.Headers;
        exporter.TimeoutMilliseconds = ExportTimeoutMs;
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _meters?.Dispose();
    }
}
