using System.Diagnostics.Metrics;

namespace QueueLab.Processor;

/// <summary>The processor's instruments (meter <see cref="ProcessorTelemetry.Name"/>).</summary>
public sealed class ProcessorMetrics
{
    public const string ReasonTag = "queuelab.dead_letter.reason";

    private readonly Counter<long> _processed;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _reclaimed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _heartbeatsMissed;
    private readonly Histogram<double> _waitDuration;
    private readonly Histogram<double> _processDuration;

    public ProcessorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ProcessorTelemetry.Name);
        _processed = meter.CreateCounter<long>("queuelab.processor.processed", "{message}", "Messages processed and written to the results stream.");
        _inFlight = meter.CreateUpDownCounter<long>("queuelab.processor.in_flight", "{message}", "Messages taken and not yet finished.");
        _reclaimed = meter.CreateCounter<long>("queuelab.processor.reclaimed", "{message}", "Messages returned to the input from dead processors.");
        _retried = meter.CreateCounter<long>("queuelab.processor.retried", "{attempt}", "Failed attempts that were retried.");
        _deadLettered = meter.CreateCounter<long>("queuelab.processor.dead_lettered", "{message}", "Messages moved to the dead-letter list.");
        _heartbeatsMissed = meter.CreateCounter<long>("queuelab.processor.heartbeats_missed", "{heartbeat}", "Heartbeat renewals that came later than the TTL or failed.");
        _waitDuration = meter.CreateHistogram<double>("queuelab.processor.wait.duration", "s", "From createdAt to the start of processing.");
        _processDuration = meter.CreateHistogram<double>("queuelab.processor.process.duration", "s", "From the start of processing to processed.");
    }

    /// <summary>Counts messages completed together (one call per batch).</summary>
    public void Processed(int count) => _processed.Add(count);

    /// <summary>One message's wait and processing time (histograms: a distribution over messages).</summary>
    public void Timings(TimeSpan? waited, TimeSpan processing)
    {
        if (waited is { } w && w >= TimeSpan.Zero)
        {
            _waitDuration.Record(w.TotalSeconds);
        }

        _processDuration.Record(processing.TotalSeconds);
    }

    public void InFlight(int delta) => _inFlight.Add(delta);

    public void Reclaimed(long count) => _reclaimed.Add(count);

    public void Retried() => _retried.Add(1);

    public void DeadLettered(string reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    public void HeartbeatMissed() => _heartbeatsMissed.Add(1);
}
