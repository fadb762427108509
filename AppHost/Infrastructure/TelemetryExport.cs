using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// <c>QueueLab:Telemetry:Export=false</c> gives the services no OTLP endpoint. The test labs run without a dashboard,
/// and an endpoint nothing listens on made every graceful stop of a service wait ~15 s for its exporters to give up
/// (the chaos suite measured 11–18 s per stop, and Aspire's stop command reported a failure meanwhile).
/// Every other key under <c>QueueLab:Telemetry</c> (<c>MaxTracesPerSecond</c>, <c>TraceHousekeeping</c>) reaches every
/// service as its own setting, so <c>./queuelab run QueueLab:Telemetry:MaxTracesPerSecond=-1</c> traces every message.
/// </summary>
public static class TelemetryExport
{
    public const string Section = "QueueLab:Telemetry";

    public const string Key = Section + ":Export";

    public static IDistributedApplicationBuilder AddTelemetryExportSetting(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(Section).GetChildren()
            .Where(s => s.Value is not null && !string.Equals(s.Path, Key, StringComparison.OrdinalIgnoreCase))
            .Select(s => ("QueueLab__Telemetry__" + s.Key, s.Value!))
            .ToList();
        if (settings.Count > 0)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                foreach (var project in e.Model.Resources.OfType<ProjectResource>())
                {
                    project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                    {
                        foreach (var (name, value) in settings)
                        {
                            context.EnvironmentVariables[name] = value;
                        }
                    }));
                }

                return Task.CompletedTask;
            });
        }

        var text = builder.Configuration[Key];
        if (text is null)
        {
            return builder;
        }

        if (!bool.TryParse(text, out var export))
        {
            throw new InvalidOperationException($"{Key} is '{text}'; use true or false.");
        }

        if (!export)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                // Added last, so it runs after Aspire's own OTLP environment callback and takes its values out again.
                foreach (var project in e.Model.Resources.OfType<ProjectResource>())
                {
                    project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                    {
                        foreach (var key in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                        {
                            context.EnvironmentVariables.Remove(key);
                        }
                    }));
                }

                return Task.CompletedTask;
            });
        }

        return builder;
    }
}
