using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QueueLab.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every QueueLab service shares: OpenTelemetry (logs, traces, metrics over OTLP to the Aspire
/// dashboard), health checks, service discovery and HTTP resilience.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Every instrument of the service in the Prometheus text format (what the dashboard's metrics page shows,
    /// readable by a script or a scraper, since the dashboard's telemetry API serves no metrics).</summary>
    public const string MetricsEndpointPath = "/metrics";

    /// <summary>
    /// Full defaults for services that serve or call HTTP: telemetry, health checks, service discovery and the
    /// standard resilience handler on every HttpClient.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, params string[] extraSources)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddWorkerDefaults(extraSources);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// The lighter variant for workers that make no HTTP calls: telemetry and health checks only.
    /// <paramref name="extraSources"/> names the service's own ActivitySource and Meter (they share a name).
    /// </summary>
    public static TBuilder AddWorkerDefaults<TBuilder>(this TBuilder builder, params string[] extraSources)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(extraSources);
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, params string[] extraSources)
        where TBuilder : IHostApplicationBuilder
    {
        // A failing health check is the resource's state on the dashboard (Running (Unhealthy), with each check's message
        // in its details), asked for every few seconds. Logged as errors as well, every start-up (a queue not yet consumed,
        // a server still starting) left error marks on a lab that was healthy a second later, and an outage one error
        // per probe: the health check service logs nothing below Critical.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(extraSources)
                    .AddPrometheusExporter();
            })
            .WithTracing(tracing =>
            {
                // Per-message spans are sampled: a bounded number of new traces per second (TraceSampling).
                tracing.SetSampler(TraceSampling.FromConfiguration(builder.Configuration))
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource(extraSources)
                    .AddAspNetCoreInstrumentation(options =>
                        // Health probes and metric scrapes are noise in the trace view.
                        options.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                            && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                            && !context.Request.Path.StartsWithSegments(MetricsEndpointPath))
                    .AddHttpClientInstrumentation();
            });

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check), <c>/alive</c> (liveness only) and <c>/metrics</c> (Prometheus text).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        });
        return app;
    }
}
