using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QueueLab.LoadSuites.Suites;

/// <summary>Samples a backlog (a queue's length) every <c>interval</c> while a run goes on; reports max, mean, last and a CSV.</summary>
public sealed class BacklogSampler(Func<Task<long>> probe, TimeSpan interval)
{
    private readonly List<(double Seconds, long Backlog)> _samples = [];

    public IReadOnlyList<(double Seconds, long Backlog)> Samples => _samples;

    public long Max => _samples.Count == 0 ? 0 : _samples.Max(s => s.Backlog);

    public double Mean => _samples.Count == 0 ? 0 : _samples.Average(s => s.Backlog);

    public long Last => _samples.Count == 0 ? 0 : _samples[^1].Backlog;

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
            return _samples.TakeLast(quarter).Average(s => s.Backlog) - _samples.Take(quarter).Average(s => s.Backlog);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var backlog = await probe().ConfigureAwait(false);
                lock (_samples)
                {
                    _samples.Add((clock.Elapsed.TotalSeconds, backlog));
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
        var csv = new StringBuilder("elapsed_s,backlog\n");
        foreach (var (seconds, backlog) in _samples)
        {
            csv.Append(seconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(',').Append(backlog).Append('\n');
        }

        return csv.ToString();
    }
}
