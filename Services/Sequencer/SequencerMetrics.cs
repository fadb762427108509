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
    private long _bufferDepth;
    private double _gapSeconds;
    private int _leader;

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
        meter.CreateObservableGauge("queuelab.sequencer.reorder_buffer.depth", () => Volatile.Read(ref _bufferDepth), "{message}", "Results waiting in the reorder buffer for an earlier seq.");
        meter.CreateObservableGauge("queuelab.sequencer.gap.duration", () => Volatile.Read(ref _gapSeconds), "s", "How long the next seq has been missing while later ones wait.");
        meter.CreateObservableGauge("queuelab.sequencer.leader", () => Volatile.Read(ref _leader), "{leader}", "1 while this sequencer is the leader.");
    }

    public void BecameLeader()
    {
        _leaderChanges.Add(1);
        Volatile.Write(ref _leader, 1);
    }

    public void LostLeadership() => Volatile.Write(ref _leader, 0);

    public void RenewalMissed() => _renewalsMissed.Add(1);

    public void Fenced() => _fencedCalls.Add(1);

    public void Batch(SequenceBatch batch, TimeSpan callDuration, DateTimeOffset now)
    {
        _callDuration.Record(callDuration.TotalSeconds);
        _emitted.Add(batch.Emitted);
        _skipped.Add(batch.Skipped);
        _duplicatesDropped.Add(batch.Dropped);
        Volatile.Write(ref _bufferDepth, batch.BufferDepth);
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
