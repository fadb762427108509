using System.Diagnostics.Metrics;
using QueueLab.Ordering.Redis;

namespace QueueLab.Sequencer;

/// <summary>The sequencer's instruments (meter <see cref="SequencerTelemetry.Name"/>).</summary>
public sealed class SequencerMetrics
{
    private readonly Counter<long> _leaderChanges;
    private readonly Counter<long> _renewalsMissed;
    private readonly Counter<long> _emitted;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _duplicatesDropped;
    private readonly Counter<long> _fencedCalls;
    private readonly Histogram<double> _waitDuration;
    private readonly Histogram<double> _callDuration;
    private double _gapSeconds;
    private int _leader;
    private OrderingBacklog? _backlog;

    public SequencerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(SequencerTelemetry.Name);
        _leaderChanges = meter.CreateCounter<long>("queuelab.sequencer.leader_changes", "{change}", "Times this sequencer became the leader.");
        _renewalsMissed = meter.CreateCounter<long>("queuelab.sequencer.lock_renewals_missed", "{renewal}", "Lock renewals that failed or came late.");
        _emitted = meter.CreateCounter<long>("queuelab.sequencer.emitted", "{message}", "Messages appended to the output.");
        _skipped = meter.CreateCounter<long>("queuelab.sequencer.skipped", "{message}", "Dead-lettered seqs passed without output.");
        _duplicatesDropped = meter.CreateCounter<long>("queuelab.sequencer.duplicates_dropped", "{message}", "Results dropped because their seq was already passed or buffered.");
        _fencedCalls = meter.CreateCounter<long>("queuelab.sequencer.fenced", "{call}", "Sequence calls refused because this sequencer no longer held the lock or its epoch was stale.");
        _waitDuration = meter.CreateHistogram<double>("queuelab.sequencer.sequence.duration", "s", "From processed to sequenced (stream, reorder buffer, output).");
        _callDuration = meter.CreateHistogram<double>("queuelab.sequencer.call.duration", "s", "Duration of one sequence script call.");
        meter.CreateObservableGauge("queuelab.sequencer.gap.duration", () => Volatile.Read(ref _gapSeconds), "s", "How long the next seq has been missing while later ones wait.");
        meter.CreateObservableGauge("queuelab.sequencer.leader", () => Volatile.Read(ref _leader), "{leader}", "1 while this sequencer is the leader.");

        // The pipeline's backlog, as the leader reads it from Redis (only the leader reports it: one series per lab).
        Backlog(meter, "queuelab.ordering.input.depth", b => b.Input, "Messages waiting in the input list.");
        Backlog(meter, "queuelab.ordering.in_flight", b => b.InFlight, "Messages taken by a processor and not yet finished (every in-flight list).");
        Backlog(meter, "queuelab.ordering.results.depth", b => b.Results, "Results processed and not yet read by the sequencer.");
        Backlog(meter, "queuelab.ordering.reorder_buffer.depth", b => b.ReorderBuffer, "Results read and waiting for an earlier seq.");
        Backlog(meter, "queuelab.ordering.output.lag", b => b.OutputLag, "Messages pushed to the input and neither in the output nor dead-lettered yet.");
    }

    public void BecameLeader()
    {
        _leaderChanges.Add(1);
        Volatile.Write(ref _leader, 1);
    }

    public void LostLeadership()
    {
        Volatile.Write(ref _leader, 0);
        Volatile.Write(ref _backlog, null);
    }

    public bool IsLeader => Volatile.Read(ref _leader) == 1;

    /// <summary>The backlog the leader last read (null: none to report).</summary>
    public void Backlog(OrderingBacklog? backlog) => Volatile.Write(ref _backlog, IsLeader ? backlog : null);

    private void Backlog(Meter meter, string name, Func<OrderingBacklog, long> value, string description) =>
        meter.CreateObservableGauge(name, () => Volatile.Read(ref _backlog) is { } b ? [new Measurement<long>(value(b))] : Array.Empty<Measurement<long>>(),
            "{message}", description);

    public void RenewalMissed() => _renewalsMissed.Add(1);

    public void Fenced() => _fencedCalls.Add(1);

    public void Batch(SequenceBatch batch, TimeSpan callDuration, DateTimeOffset now)
    {
        _callDuration.Record(callDuration.TotalSeconds);
        _emitted.Add(batch.Emitted);
        _skipped.Add(batch.Skipped);
        _duplicatesDropped.Add(batch.Dropped);
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var result in batch.EmittedResults)
        {
            if (result.ProcessedAtMs > 0)
            {
                _waitDuration.Record(Math.Max(0, nowMs - result.ProcessedAtMs) / 1000.0);
            }
        }
    }

    public void Gap(TimeSpan gap) => Volatile.Write(ref _gapSeconds, gap.TotalSeconds);
}
