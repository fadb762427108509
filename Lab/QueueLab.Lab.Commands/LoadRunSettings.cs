using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using QueueLab.Lab.Hosting;
using QueueLab.LoadSuites.Telemetry;

namespace QueueLab.Lab.Commands;

/// <summary>
/// How the dashboard's runs run: where their reports go (<c>QueueLab:Commands:ReportDir</c>, default <c>reports/</c> at the
/// repository root), the warm-up before each measured run (<c>QueueLab:Commands:Warmup</c>, default the suite's), and
/// where their telemetry goes (this lab's dashboard, when it has one).
/// </summary>
public sealed record LoadRunSettings(string? ReportDirectory, int? Warmup, OtlpTarget? Telemetry)
{
    public const string Section = "QueueLab:Commands";

    public static LoadRunSettings Read(IConfiguration configuration, bool dashboard)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        int? warmup = section["Warmup"] is { } text
            ? int.TryParse(text, out var value) && value >= 0 ? value
                : throw new InvalidOperationException($"{Section}:Warmup is '{text}'; use a whole number of 0 or more.")
            : null;
        OtlpTarget? telemetry = null;
        if (dashboard && DashboardOtlp.From(key => configuration[key]) is { } otlp && Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var endpoint))
        {
            telemetry = new OtlpTarget(endpoint, otlp.Protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, otlp.Headers,
                "this lab's dashboard", FromEnvironment: false);
        }

        return new LoadRunSettings(section["ReportDir"] is { Length: > 0 } reports ? Path.GetFullPath(reports) : null, warmup, telemetry);
    }
}
