using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QueueLab.Consumer;

/// <summary>The consumer's ActivitySource and metrics (one name for both), with running totals for <c>GET /stats</c>.</summary>
public sealed class ConsumerTelemetry
{
    public const string Name = "QueueLab.Consumer";
    public const string QueueTag = "messaging.destination.name";
    public const string ReasonTag = "queuelab.dead_letter.reason";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _held;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _wait;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _acks;
    private readonly Counter<long> _ackFrames;
    private IReadOnlyDictionary<string, long> _depths = new Dictionary<string, long>();
    private long _consumedTotal, _processedTotal, _duplicatesTotal, _heldTotal, _retriesTotal, _deadLetteredTotal;

    public ConsumerTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _consumed = meter.CreateCounter<long>("queuelab.consumer.consumed", "{message}", "Deliveries received.");
        _processed = meter.CreateCounter<long>("queuelab.consumer.processed", "{message}", "Deliveries processed and stored.");
        _duplicates = meter.CreateCounter<long>("queuelab.consumer.duplicates_skipped", "{message}", "Deliveries whose final state already existed.");
        _held = meter.CreateCounter<long>("queuelab.consumer.requeued_held", "{message}", "Deliveries put back because another consumer held the processing key.");
        _retries = meter.CreateCounter<long>("queuelab.consumer.retries", "{message}", "Processing failures sent to a retry queue.");
        _deadLettered = meter.CreateCounter<long>("queuelab.consumer.dead_lettered", "{message}", "Messages sent to the dead-letter queue.");
        _latency = meter.CreateHistogram<double>("queuelab.consumer.process.duration", "s", "From delivery to ack of a delivery processed and stored.");
        _wait = meter.CreateHistogram<double>("queuelab.consumer.wait.duration", "s", "From the publisher's first send (header x-published-at) to delivery: time in the queue.");
        _inFlight = meter.CreateUpDownCounter<long>("queuelab.consumer.in_flight", "{message}", "Deliveries received and not yet acked, nacked or handed back.");
        _acks = meter.CreateCounter<long>("queuelab.consumer.acks", "{message}", "Deliveries acked.");
        _ackFrames = meter.CreateCounter<long>("queuelab.consumer.ack_frames", "{frame}",
            "basic.ack frames written for them: one multiple ack covers every finished delivery below the lowest one still in handling.");
        meter.CreateObservableGauge("queuelab.consumer.queue.depth", ObserveDepths, "{message}",
            "Messages ready in each queue this consumer consumes (not yet delivered to anyone), read every few seconds.");
    }

    public void Consumed(string queue) { Interlocked.Increment(ref _consumedTotal); _consumed.Add(1, Tag(queue)); }

    public void Processed(string queue, TimeSpan latency)
    {
        Interlocked.Increment(ref _processedTotal);
        _processed.Add(1, Tag(queue));
        _latency.Record(latency.TotalSeconds, Tag(queue));
    }

    /// <summary>One ack frame was written for <paramref name="covered"/> deliveries.</summary>
    public void AckWritten(string queue, int covered)
    {
        _acks.Add(covered, Tag(queue));
        _ackFrames.Add(1, Tag(queue));
    }

    public void Waited(string queue, TimeSpan waited) => _wait.Record(waited.TotalSeconds, Tag(queue));

    public void InFlight(string queue, int delta) => _inFlight.Add(delta, Tag(queue));

    /// <summary>The ready counts last read for the queues this consumer consumes (replaces the previous set).</summary>
    public void QueueDepths(IReadOnlyDictionary<string, long> depths) => Volatile.Write(ref _depths, depths);

    private IEnumerable<Measurement<long>> ObserveDepths() =>
        Volatile.Read(ref _depths).Select(d => new Measurement<long>(d.Value, Tag(d.Key)));

    public void Duplicate(string queue) { Interlocked.Increment(ref _duplicatesTotal); _duplicates.Add(1, Tag(queue)); }

    public void Held(string queue) { Interlocked.Increment(ref _heldTotal); _held.Add(1, Tag(queue)); }

    public void Retried(string queue) { Interlocked.Increment(ref _retriesTotal); _retries.Add(1, Tag(queue)); }

    public void DeadLettered(string queue, string reason)
    {
        Interlocked.Increment(ref _deadLetteredTotal);
        _deadLettered.Add(1, Tag(queue), new KeyValuePair<string, object?>(ReasonTag, reason));
    }

    public ConsumerStats Snapshot(string consumerId, int phase, IReadOnlyCollection<string> queues) => new(
        consumerId, phase, queues, Interlocked.Read(ref _consumedTotal), Interlocked.Read(ref _processedTotal),
        Interlocked.Read(ref _duplicatesTotal), Interlocked.Read(ref _heldTotal), Interlocked.Read(ref _retriesTotal),
        Interlocked.Read(ref _deadLetteredTotal));

    private static KeyValuePair<string, object?> Tag(string queue) => new(QueueTag, queue);
}
