using System.Globalization;
using QueueLab.LoadRunner;

namespace QueueLab.LoadSuites.Cli;

/// <summary>Parses <c>&lt;suite&gt; [--name value ...]</c>; a bad argument throws <see cref="UsageException"/> saying what to fix.</summary>
public static class ArgumentParser
{
    public static SuiteOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count > 0 && args[0] is "-h" or "--help")
        {
            throw new UsageException(null);
        }

        if (args.Count == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("name a suite first.");
        }

        var options = new SuiteOptions { Suite = args[0].ToLowerInvariant() };
        var connections = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var labSettings = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value.");
            options = name switch
            {
                "--messages" => options with { Messages = PositiveInt(name, Value()) },
                "--rate" => options with { Rate = PositiveDouble(name, Value()) },
                "--duration" => options with { Duration = Duration(name, Value()) },
                "--processors" => options with { Processors = PositiveInt(name, Value()) },
                "--in-flight" => options with { InFlight = PositiveInt(name, Value()) },
                "--partitions" => options with { Partitions = PositiveInt(name, Value()) },
                "--mode" => options with { Mode = Enum.TryParse<QueueLab.Ordering.OrderingMode>(Value(), ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                    ? mode : throw new UsageException("--mode is global or perkey.") },
                "--work-ms" => options with { WorkMs = NonNegativeDouble(name, Value()) },
                "--phase" => options with { Phase = PositiveInt(name, Value()) },
                "--consumers" => options with { Consumers = PositiveInt(name, Value()) },
                "--confirm-window" => options with { ConfirmWindow = PositiveInt(name, Value()) },
                "--report-dir" => options with { ReportDirectory = Value() },
                "--progress" => options with { Progress = Progress(Value()) },
                "--min-efficiency" => options with { MinEfficiency = NonNegativeDouble(name, Value()) },
                "--min-throughput" => options with { MinThroughput = NonNegativeDouble(name, Value()) },
                "--min-ratio" => options with { MinRatio = NonNegativeDouble(name, Value()) },
                "--max-p99" => options with { MaxP99 = Duration(name, Value()) },
                "--max-memory-growth" => options with { MaxMemoryGrowthMb = NonNegativeDouble(name, Value()) },
                "--set" => AddSetting(options, labSettings, Value()),
                "--max-backlog" => options with { MaxBacklog = PositiveInt(name, Value()) },
                "--targets" => options with { MinEfficiency = 0.95, MinThroughput = 10_000, MinRatio = 0.5 },
                "--warmup" => options with { Warmup = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var w) && w >= 0 ? w : throw new UsageException("--warmup needs a whole number of 0 or more.") },
                "--no-baseline" => options with { NoBaseline = true },
                "--kill" => options with { Kill = QueueLab.LoadSuites.Ordering.KillPlan.Parse(Value()) },
                "--apphost" => options with { AppHost = Value() },
                "--state-dir" => options with { StateDirectory = Value() },
                "--connection-string" => AddConnection(options, connections, Value()),
                "--cache" or "--messaging" or "--queuelab" => AddConnection(options, connections, $"{name[2..]}={Value()}"),
                "-h" or "--help" => throw new UsageException(null),
                _ => throw new UsageException($"unknown option {name}."),
            };
        }

        return options with { ConnectionStrings = connections, LabSettings = labSettings };
    }

    /// <summary>The connection names a suite can use; each may also come from <c>ConnectionStrings__{name}</c>.</summary>
    public static readonly IReadOnlyList<string> ConnectionNames = [ResourceNames.Cache, ResourceNames.Messaging, ResourceNames.Database];

    /// <summary>
    /// <see cref="Parse(IReadOnlyList{string})"/>, then every connection string not given on the command line taken from
    /// the environment (<c>ConnectionStrings__cache</c>, the Aspire convention): a caller can keep passwords off the
    /// command line, where any local user's <c>ps</c> would see them.
    /// </summary>
    public static SuiteOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = Parse(args);
        var connections = new Dictionary<string, string>(options.ConnectionStrings, StringComparer.OrdinalIgnoreCase);
        foreach (var name in ConnectionNames.Where(n => !connections.ContainsKey(n)))
        {
            if (environment("ConnectionStrings__" + name) is { Length: > 0 } value)
            {
                connections[name] = value;
            }
        }

        return options with
        {
            ConnectionStrings = connections,
            AppHost = options.AppHost ?? (environment("QUEUELAB_APPHOST") is { Length: > 0 } appHost ? appHost : null),
            StateDirectory = options.StateDirectory ?? (environment("QUEUELAB_STATE_DIR") is { Length: > 0 } state ? state : null),
        };
    }

    /// <summary>60s, 5m, 1h, 500ms, a plain number of seconds, or hh:mm:ss.</summary>
    public static TimeSpan Duration(string name, string text)
    {
        text = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value > 0)
            {
                return TimeSpan.FromSeconds(value * scale);
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new UsageException($"{name} is '{text}'; use a positive duration such as 60s, 5m or 00:10:00.");
    }

    private static SuiteOptions AddConnection(SuiteOptions options, Dictionary<string, string> connections, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == pair.Length - 1)
        {
            throw new UsageException($"--connection-string '{pair}': use NAME=VALUE, e.g. cache=127.0.0.1:16379,password=...");
        }

        connections[pair[..equals].Trim()] = pair[(equals + 1)..];
        return options;
    }

    private static SuiteOptions AddSetting(SuiteOptions options, List<string> settings, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || pair[..equals].Trim().Length == 0)
        {
            throw new UsageException($"--set '{pair}': use KEY=VALUE, e.g. QueueLab:Ordering:Sequencer:OutputMaxLength=20000.");
        }

        settings.Add(pair[..equals].Trim() + pair[equals..]);
        return options;
    }

    private static ProgressMode Progress(string text) =>
        Enum.TryParse<ProgressMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new UsageException($"--progress is '{text}'; use auto, live, plain or none.");

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{name} is '{text}'; use a whole number above 0.");

    private static double PositiveDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"{name} is '{text}'; use a number above 0.");

    private static double NonNegativeDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"{name} is '{text}'; use a number of 0 or more.");
}
