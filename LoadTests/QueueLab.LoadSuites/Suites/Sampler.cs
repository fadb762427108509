using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QueueLab.LoadSuites.Suites;

/// <summary>
/// Samples a value (a queue's backlog, a server's memory) every <c>interval</c> while a run goes on; reports max, mean,
/// last, the trend and a CSV whose value column is <paramref name="column"/>.
/// </summary>
public sealed class Sampler(Func<Task<long>> probe, TimeSpan interval, string column = "backlog")
{
    private readonly List<(double Seconds, long Value)> _samples = [];

    public IReadOnlyList<(double Seconds, long Value)> Samples => _samples;

    /// <summary>The first sample, 0 when there is none.</summary>
    public long First => _samples.Count == 0 ? 0 : _samples[0].Value;

    /// <summary>The mean of the samples between fractions <paramref name="from"/> and <paramref name="to"/> of the run
    /// (by sample count), 0 when there is none.</summary>
    public double MeanBetween(double from, double to)
    {
        var part = _samples.Skip((int)(from * _samples.Count)).Take(Math.Max(1, (int)((to - from) * _samples.Count))).ToList();
        return part.Count == 0 ? 0 : part.Average(s => s.Value);
    }

    public long Max => _samples.Count == 0 ? 0 : _samples.Max(s => s.Value);

    public double Mean => _samples.Count == 0 ? 0 : _samples.Average(s => s.Value);

    public long Last => _samples.Count == 0 ? 0 : _samples[^1].Value;

    /// <summary>The mean over the last quarter of the samples minus the mean over the first quarter (growth means unbounded).</summary>
    public double Trend
    {
        get
        {
            if (_samples.Count < 8)
            {
                return 0;
            }

            var quarter = _samples.Count / 4;
            return _samples.TakeLast(quarter).Average(s => s.Value) - _samples.Take(quarter).Average(s => s.Value);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var value = await probe().ConfigureAwait(false);
                lock (_samples)
                {
                    _samples.Add((clock.Elapsed.TotalSeconds, value));
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed sample is a gap in the series, not a failed run.
                await Task.Delay(interval, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public string Csv()
    {
        var csv = new StringBuilder($"elapsed_s,{column}\n");
        foreach (var (seconds, value) in _samples)
        {
            csv.Append(seconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(',').Append(value).Append('\n');
        }

        return csv.ToString();
    }
}
