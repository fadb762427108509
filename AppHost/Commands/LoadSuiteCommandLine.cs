using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Commands;

/// <summary>
/// How the AppHost starts the load suites' command line (<c>dotnet LoadTests/QueueLab.LoadTests/bin/{config}/net10.0/QueueLab.LoadTests.dll</c>,
/// built by <c>dotnet build QueueLab.sln</c>; <c>QueueLab:Commands:LoadTests</c> names another build): from the repository
/// root, progress as plain lines, its report under <c>reports/</c> (or <c>QueueLab:Commands:ReportDir</c>), and its
/// OpenTelemetry sent to this lab's dashboard (the endpoint and the <c>x-otlp-api-key</c> header Aspire gives its own
/// resources), as service <c>loadtests</c>. Without a dashboard (the test host) it exports nothing.
/// </summary>
public sealed class LoadSuiteCommandLine(string assemblyPath, string workingDirectory, string? reportDirectory, int? warmup,
    IReadOnlyDictionary<string, string?> environment)
{
    public const string Section = "QueueLab:Commands";
    public const string ServiceName = "loadtests";

    public string AssemblyPath { get; } = assemblyPath;

    public string WorkingDirectory { get; } = workingDirectory;

    public string? ReportDirectory { get; } = reportDirectory;

    /// <summary>Messages sent through before each measured run; null for the suite's default.</summary>
    public int? Warmup { get; } = warmup;

    public static LoadSuiteCommandLine From(IConfiguration configuration, string appHostDirectory, string stateDirectory, bool dashboard)
    {
        var root = Path.GetFullPath(Path.Combine(appHostDirectory, ".."));
        var section = configuration.GetSection(Section);
        var assembly = section["LoadTests"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(root, "LoadTests", "QueueLab.LoadTests", "bin", BuildConfiguration(), "net10.0", "QueueLab.LoadTests.dll");
        int? warmup = section["Warmup"] is { } text
            ? int.TryParse(text, out var value) && value >= 0 ? value
                : throw new InvalidOperationException($"{Section}:Warmup is '{text}'; use a whole number of 0 or more.")
            : null;

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The suites find a `./queuelab run` lab's dashboard on their own from the state folder; point them at this one.
            ["QUEUELAB_STATE_DIR"] = stateDirectory,
        };
        var grpc = configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"];
        var http = configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"];
        if (dashboard && (grpc ?? http) is { } endpoint)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = grpc is not null ? "grpc" : "http/protobuf";
            environment["OTEL_EXPORTER_OTLP_HEADERS"] = configuration["AppHost:OtlpApiKey"] is { Length: > 0 } key ? $"x-otlp-api-key={key}" : null;
            environment["OTEL_SERVICE_NAME"] = ServiceName;
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_SDK_DISABLED"] = null;
        }
        else
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = null;
            environment["OTEL_SDK_DISABLED"] = "true";
        }

        return new LoadSuiteCommandLine(assembly, root, section["ReportDir"] is { Length: > 0 } reports ? Path.GetFullPath(reports) : null,
            warmup, environment);
    }

    /// <summary>Fails with what to do when the command line has not been built.</summary>
    public void EnsureBuilt()
    {
        if (!File.Exists(AssemblyPath))
        {
            throw new InvalidOperationException(
                $"The load suites' command line is not built ({AssemblyPath} is missing): run `dotnet build QueueLab.sln` (./queuelab run does), " +
                $"or set {Section}:LoadTests to its QueueLab.LoadTests.dll.");
        }
    }

    internal ProcessStartInfo StartInfo(string suite, IReadOnlyList<string> arguments)
    {
        EnsureBuilt();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(AssemblyPath);
        start.ArgumentList.Add(suite);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is "--cache" or "--messaging" or "--queuelab" && i + 1 < arguments.Count)
            {
                // Connection strings carry passwords: they go in the environment (readable by this user only), not on
                // the command line, which `ps` shows to every local user. The CLI reads ConnectionStrings__<name>.
                start.Environment["ConnectionStrings__" + arguments[i][2..]] = arguments[++i];
                continue;
            }

            start.ArgumentList.Add(arguments[i]);
        }

        start.ArgumentList.Add("--progress");
        start.ArgumentList.Add("plain");
        if (ReportDirectory is not null)
        {
            start.ArgumentList.Add("--report-dir");
            start.ArgumentList.Add(ReportDirectory);
        }

        if (Warmup is { } warmup)
        {
            start.ArgumentList.Add("--warmup");
            start.ArgumentList.Add(warmup.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        // The AppHost's own settings are not the suite's (a suite that started its own lab would read them).
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPIRE_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_URLS", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    private static string BuildConfiguration() =>
        typeof(LoadSuiteCommandLine).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } name
            ? name
            : "Debug";
}
