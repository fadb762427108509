using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QueueLab.Publisher;

/// <summary>The publisher's ActivitySource and metrics (one name for both).</summary>
public sealed class PublisherTelemetry
{
    public const string Name = "QueueLab.Publisher";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _published;
    private readonly Counter<long> _confirmed;
    private readonly Counter<long> _nacked;
    private readonly Counter<long> _timedOut;
    private readonly Counter<long> _returned;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _confirmLatency;

    public PublisherTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _published = meter.CreateCounter<long>("queuelab.publisher.published", "{message}", "Publish attempts sent to the broker.");
        _confirmed = meter.CreateCounter<long>("queuelab.publisher.confirmed", "{message}", "Messages confirmed by the broker (the only ones that count as published).");
        _nacked = meter.CreateCounter<long>("queuelab.publisher.nacked", "{message}", "Publish attempts the broker nacked.");
        _timedOut = meter.CreateCounter<long>("queuelab.publisher.confirm_timeouts", "{message}", "Publish attempts whose confirm did not arrive in time.");
        _returned = meter.CreateCounter<long>("queuelab.publisher.returned", "{message}", "Messages the broker could not route to any queue.");
        _failed = meter.CreateCounter<long>("queuelab.publisher.failed", "{message}", "Messages given up after the last attempt.");
        _confirmLatency = meter.CreateHistogram<double>("queuelab.publisher.confirm.duration", "s", "From publish to the broker's confirm.");
    }

    public void Published(string exchange) => _published.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", exchange));

    public void Confirmed(string exchange, TimeSpan latency)
    {
        var tag = new KeyValuePair<string, object?>("messaging.destination.name", exchange);
        _confirmed.Add(1, tag);
        _confirmLatency.Record(latency.TotalSeconds, tag);
    }

    public void Nacked(string exchange) => _nacked.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", exchange));

    public void TimedOut(string exchange) => _timedOut.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", exchange));

    public void Returned(string exchange) => _returned.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", exchange));

    public void Failed(string exchange) => _failed.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", exchange));
}
