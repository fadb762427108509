using System.Collections.Concurrent;
using HdrHistogram;

namespace QueueLab.LoadRunner;

/// <summary>Thread-safe accumulation of one run's counts, histograms and time series.</summary>
internal sealed class RunCollector
{
    private const int DistributionBuckets = 40;

    private readonly LongConcurrentHistogram _okLatency = Histograms.CreateConcurrent();
    private readonly LongConcurrentHistogram _failedLatency = Histograms.CreateConcurrent();
    private readonly LongConcurrentHistogram _lateness = Histograms.CreateConcurrent();
    private readonly Recorder _interval = Histograms.CreateRecorder();
    private readonly ConcurrentDictionary<string, long> _failureReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _dropReasons = new(StringComparer.Ordinal);
    private readonly List<TimeSeriesPoint> _series = [];
    private readonly Lock _sampleLock = new();
    private readonly KeyValuePair<string, object?> _scenarioTag;
    private readonly KeyValuePair<string, object?> _okTag = new("outcome", "ok");
    private readonly KeyValuePair<string, object?> _failedTag = new("outcome", "failed");
    private readonly KeyValuePair<string, object?> _droppedTag = new("outcome", "dropped");

    private long _ok;
    private long _failed;
    private long _dropped;
    private long _late;
    private long _started;
    private long _inFlight;
    private long _maxInFlight;
    private long _lastSettledTicks;

    private TimeSpan _lastSample;
    private long _lastOk;
    private long _lastFailed;
    private long _lastDropped;
    private long _lastLate;
    private HistogramBase? _recycled;

    public RunCollector(string scenarioName) => _scenarioTag = new("scenario", scenarioName);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Started => Interlocked.Read(ref _started);

    public TimeSpan LastSettled => TimeSpan.FromTicks(Interlocked.Read(ref _lastSettledTicks));

    /// <summary>Counts an invocation as started <paramref name="lateness"/> after it was due.</summary>
    public void OnStarted(TimeSpan lateness, bool late)
    {
        Interlocked.Increment(ref _started);
        var inFlight = Interlocked.Increment(ref _inFlight);
        long max;
        while (inFlight > (max = Interlocked.Read(ref _maxInFlight)) &&
               Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
        {
        }

        _lateness.RecordValue(Histograms.ToMicroseconds(lateness));

        if (late)
        {
            Interlocked.Increment(ref _late);
            LoadRunnerTelemetry.LateStarts.Add(1, _scenarioTag);
        }

        LoadRunnerTelemetry.InFlight.Add(1, _scenarioTag);
    }

    /// <summary>Counts a started invocation as settled; returns the number still in flight.</summary>
    public long OnSettled(StepResult result, TimeSpan latency, TimeSpan at)
    {
        var micros = Histograms.ToMicroseconds(latency);
        if (result.IsOk)
        {
            _okLatency.RecordValue(micros);
            _interval.RecordValue(micros);
            Interlocked.Increment(ref _ok);
            LoadRunnerTelemetry.Invocations.Add(1, _scenarioTag, _okTag);
            LoadRunnerTelemetry.Latency.Record(latency.TotalMilliseconds, _scenarioTag, _okTag);
        }
        else
        {
            _failedLatency.RecordValue(micros);
            _failureReasons.AddOrUpdate(result.FailureReason ?? "unspecified", 1, (_, n) => n + 1);
            Interlocked.Increment(ref _failed);
            LoadRunnerTelemetry.Invocations.Add(1, _scenarioTag, _failedTag);
            LoadRunnerTelemetry.Latency.Record(latency.TotalMilliseconds, _scenarioTag, _failedTag);
        }

        NoteSettled(at);
        LoadRunnerTelemetry.InFlight.Add(-1, _scenarioTag);
        return Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>Counts an invocation the runner could not start.</summary>
    public void OnDropped(string reason, TimeSpan at, bool late)
    {
        _dropReasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _dropped);
        if (late)
        {
            Interlocked.Increment(ref _late);
            LoadRunnerTelemetry.LateStarts.Add(1, _scenarioTag);
        }

        LoadRunnerTelemetry.Invocations.Add(1, _scenarioTag, _droppedTag);
        NoteSettled(at);
    }

    /// <summary>Closes the current reporting interval at <paramref name="now"/> and returns its point.</summary>
    public TimeSeriesPoint Sample(TimeSpan now)
    {
        lock (_sampleLock)
        {
            var interval = _recycled is null ? _interval.GetIntervalHistogram() : _interval.GetIntervalHistogram(_recycled);
            _recycled = interval;
            var ok = Interlocked.Read(ref _ok);
            var failed = Interlocked.Read(ref _failed);
            var dropped = Interlocked.Read(ref _dropped);
            var late = Interlocked.Read(ref _late);
            var hasValues = interval.TotalCount > 0;
            var point = new TimeSeriesPoint(
                _lastSample,
                now < _lastSample ? _lastSample : now,
                ok - _lastOk,
                failed - _lastFailed,
                dropped - _lastDropped,
                late - _lastLate,
                InFlight,
                hasValues ? Histograms.FromMicroseconds(interval.GetValueAtPercentile(50)) : TimeSpan.Zero,
                hasValues ? Histograms.FromMicroseconds(interval.GetValueAtPercentile(99)) : TimeSpan.Zero,
                hasValues ? Histograms.FromMicroseconds(interval.GetMaxValue()) : TimeSpan.Zero);
            _series.Add(point);
            (_lastSample, _lastOk, _lastFailed, _lastDropped, _lastLate) = (point.End, ok, failed, dropped, late);
            return point;
        }
    }

    public TimeSpan LastSampleAt
    {
        get
        {
            lock (_sampleLock)
            {
                return _lastSample;
            }
        }
    }

    public ProgressSnapshot Progress(string scenario, TimeSpan elapsed, LoadSchedule schedule, TimeSeriesPoint interval) => new(
        scenario,
        elapsed,
        schedule.Duration,
        schedule.IsFullyOpen ? schedule.ExpectedOpenInvocations : null,
        Started,
        Interlocked.Read(ref _ok),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _late),
        InFlight,
        interval);

    /// <summary>Builds a result from what was collected so far (thresholds not evaluated).</summary>
    public RunResult Build(string scenario, string runId, DateTimeOffset startedAt, TimeSpan end, LoadSchedule schedule, StageRecorder stages, string? abortReason)
    {
        var okHistogram = _okLatency.Copy();
        List<TimeSeriesPoint> series;
        lock (_sampleLock)
        {
            series = [.. _series];
        }

        return new RunResult
        {
            ScenarioName = scenario,
            RunId = runId,
            StartedAt = startedAt,
            Duration = end,
            ScheduledDuration = schedule.Duration,
            Phases = schedule.Phases,
            Ok = Interlocked.Read(ref _ok),
            Failed = Interlocked.Read(ref _failed),
            Dropped = Interlocked.Read(ref _dropped),
            Late = Interlocked.Read(ref _late),
            FailureReasons = new SortedDictionary<string, long>(_failureReasons, StringComparer.Ordinal),
            DropReasons = new SortedDictionary<string, long>(_dropReasons, StringComparer.Ordinal),
            Latency = LatencyStats.From(okHistogram),
            FailedLatency = LatencyStats.From(_failedLatency.Copy()),
            StartLateness = LatencyStats.From(_lateness.Copy()),
            Stages = stages.Snapshot(),
            TimeSeries = series,
            LatencyDistribution = Distribution(okHistogram),
            MaxConcurrency = Interlocked.Read(ref _maxInFlight),
            LatencyHistogram = okHistogram,
            AbortReason = abortReason,
        };
    }

    private void NoteSettled(TimeSpan at)
    {
        long last;
        while (at.Ticks > (last = Interlocked.Read(ref _lastSettledTicks)) &&
               Interlocked.CompareExchange(ref _lastSettledTicks, at.Ticks, last) != last)
        {
        }
    }

    // Linear bars from the smallest to the largest recorded value, for the report's latency histogram.
    private static List<HistogramBucket> Distribution(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return [];
        }

        var values = histogram.RecordedValues().Select(v => (Value: histogram.LowestEquivalentValue(v.ValueIteratedTo), Count: v.CountAtValueIteratedTo)).ToList();
        var min = values[0].Value;
        var max = histogram.GetMaxValue();
        var width = Math.Max(1, (long)Math.Ceiling((max - min + 1) / (double)DistributionBuckets));
        var counts = new long[DistributionBuckets];
        foreach (var (value, count) in values)
        {
            counts[Math.Min(DistributionBuckets - 1, (int)((value - min) / width))] += count;
        }

        var buckets = new List<HistogramBucket>(DistributionBuckets);
        for (var i = 0; i < DistributionBuckets; i++)
        {
            var from = min + (i * width);
            if (from > max)
            {
                break;
            }

            buckets.Add(new HistogramBucket(Histograms.FromMicroseconds(from), Histograms.FromMicroseconds(from + width), counts[i]));
        }

        return buckets;
    }
}
