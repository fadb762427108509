using System.Collections.Concurrent;
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
    private readonly ConcurrentDictionary<int, double> _gapSeconds = new();
    private readonly ConcurrentDictionary<int, OrderingBacklog?> _backlog = new();
    private readonly bool _tagged;
    private int _leader;

    /// <param name="partitions">Pipeline B's partitions: with more than one, the per-partition gauges carry a
    /// <c>partition</c> tag (each partition's leader reports its own).</param>
    public SequencerMetrics(IMeterFactory meterFactory, int partitions = 1)
    {
        _tagged = partitions > 1;
        var meter = meterFactory.Create(SequencerTelemetry.Name);
        _leaderChanges = meter.CreateCounter<long>("queuelab.sequencer.leader_changes", "{change}", "Times this sequencer became the leader.");
        _renewalsMissed = meter.CreateCounter<long>("queuelab.sequencer.lock_renewals_missed", "{renewal}", "Lock renewals that failed or came late.");
        _emitted = meter.CreateCounter<long>("queuelab.sequencer.emitted", "{message}", "Messages appended to the output.");
        _skipped = meter.CreateCounter<long>("queuelab.sequencer.skipped", "{message}", "Dead-lettered seqs passed without output.");
        _duplicatesDropped = meter.CreateCounter<long>("queuelab.sequencer.duplicates_dropped", "{message}", "Results dropped because their seq was already passed or buffered.");
        _fencedCalls = meter.CreateCounter<long>("queuelab.sequencer.fenced", "{call}", "Sequence calls refused because this sequencer no longer held the lock or its epoch was stale.");
        _waitDuration = meter.CreateHistogram<double>("queuelab.sequencer.sequence.duration", "s", "From processed to sequenced (stream, reorder buffer, output).");
        _callDuration = meter.CreateHistogram<double>("queuelab.sequencer.call.duration", "s", "Duration of one sequence script call.");
        meter.CreateObservableGauge("queuelab.sequencer.gap.duration", () => _gapSeconds.Select(g => Measure(g.Value, g.Key)), "s",
            "How long the next seq has been missing while later ones wait (per partition this sequencer leads).");
        meter.CreateObservableGauge("queuelab.sequencer.leader",
            () => _tagged ? _gapSeconds.Keys.Select(p => Measure(1, p)) : [new Measurement<int>(Volatile.Read(ref _leader))], "{leader}",
            "1 while this sequencer leads (partitioned: one series per partition it leads, tagged with the partition).");

        // The pipeline's backlog, as the leader reads it from Redis (only the leader reports it: one series per lab, or per
        // partition).
        Backlog(meter, "queuelab.ordering.input.depth", b => b.Input, "Messages waiting in the input list.");
        Backlog(meter, "queuelab.ordering.in_flight", b => b.InFlight, "Messages taken by a processor and not yet finished (every in-flight list).");
        Backlog(meter, "queuelab.ordering.results.depth", b => b.Results, "Results processed and not yet read by the sequencer.");
        Backlog(meter, "queuelab.ordering.reorder_buffer.depth", b => b.ReorderBuffer, "Results read and waiting for an earlier seq.");
        Backlog(meter, "queuelab.ordering.output.lag", b => b.OutputLag, "Messages pushed to the input and neither in the output nor dead-lettered yet.");
    }

    public void BecameLeader(int partition = 0)
    {
        _leaderChanges.Add(1);
        Interlocked.Increment(ref _leader);
        _gapSeconds[partition] = 0;
    }

    public void LostLeadership(int partition = 0)
    {
        Interlocked.Decrement(ref _leader);
        _backlog.TryRemove(partition, out _);
        _gapSeconds.TryRemove(partition, out _);
    }

    public bool IsLeader => Volatile.Read(ref _leader) > 0;

    /// <summary>The backlog the leader of <paramref name="partition"/> last read (null: none to report).</summary>
    public void Backlog(OrderingBacklog? backlog, int partition = 0)
    {
        if (_gapSeconds.ContainsKey(partition))
        {
            _backlog[partition] = backlog;
        }
    }

    private void Backlog(Meter meter, string name, Func<OrderingBacklog, long> value, string description) =>
        meter.CreateObservableGauge(name, () => _backlog.Where(b => b.Value is not null).Select(b => Measure(value(b.Value!), b.Key)),
            "{message}", description);

    private Measurement<T> Measure<T>(T value, int partition) where T : struct =>
        _tagged ? new Measurement<T>(value, new KeyValuePair<string, object?>("partition", partition)) : new Measurement<T>(value);

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

    public void Gap(TimeSpan gap, int partition = 0)
    {
        if (_gapSeconds.ContainsKey(partition))
        {
            _gapSeconds[partition] = gap.TotalSeconds;
        }
    }
}
