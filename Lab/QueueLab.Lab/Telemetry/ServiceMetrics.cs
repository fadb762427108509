using System.Globalization;
using System.Text;

namespace QueueLab.Lab.Telemetry;

/// <summary>One sample of a Prometheus text exposition: a series (name and labels) and its value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The instruments of one service as its <c>/metrics</c> endpoint serves them (the Prometheus text format the
/// OpenTelemetry exporter writes: dots become underscores, a unit of seconds adds <c>_seconds</c>, counters end in
/// <c>_total</c>, a histogram is its <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series). The dashboard shows the same
/// instruments on its metrics page, but its telemetry API serves no metrics, so scripts and tests read them here.
/// </summary>
public sealed class ServiceMetrics(IReadOnlyList<MetricSample> samples)
{
    public const string Path = "/metrics";

    public IReadOnlyList<MetricSample> Samples => samples;

    public IEnumerable<MetricSample> Series(string name) => samples.Where(s => s.Name == name);

    public bool Has(string name) => samples.Any(s => s.Name == name);

    /// <summary>The sum of every series of <paramref name="name"/> (0 when there is none).</summary>
    public double Sum(string name) => Series(name).Sum(s => s.Value);

    /// <summary>The one series of <paramref name="name"/> with no label other than the exporter's scope labels, if any.</summary>
    public double? Value(string name) => Series(name).Select(s => (double?)s.Value).FirstOrDefault();

    public static async Task<ServiceMetrics> ScrapeAsync(HttpClient service, CancellationToken cancellationToken = default)
    {
        using var response = await service.GetAsync(Path, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {Path}: {(int)response.StatusCode} {text}");
        }

        return Parse(text);
    }

    /// <summary>Parses the Prometheus text format (0.0.4; comment lines skipped, an optional timestamp ignored).</summary>
    public static ServiceMetrics Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
            {
                i++;
            }

            var name = line[..i];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i = ParseLabels(line, i + 1, labels);
            }

            var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name.Length == 0 || rest.Length == 0)
            {
                throw new FormatException($"Not a sample line: '{line}'.");
            }

            samples.Add(new MetricSample(name, labels, ParseValue(rest[0])));
        }

        return new ServiceMetrics(samples);
    }

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length && line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
            {
                throw new FormatException($"Bad labels in '{line}'.");
            }

            var key = line[i..eq].Trim();
            var value = new StringBuilder();
            i = eq + 2;
            for (; i < line.Length && line[i] != '"'; i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            if (i >= line.Length)
            {
                throw new FormatException($"Unterminated label value in '{line}'.");
            }

            labels[key] = value.ToString();
            i++;
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
        }

        if (i >= line.Length)
        {
            throw new FormatException($"Unterminated labels in '{line}'.");
        }

        return i + 1;
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
