using System.Diagnostics;
using QueueLab.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.Consumer;

/// <summary>
/// Sends a copy of a delivery to a delay queue (retry, held) or to the dead-letter exchange, with publisher confirms:
/// the caller acks the original only after the copy is confirmed, so a crash in between duplicates, never loses.
/// </summary>
public sealed class Republisher(IConnection connection) : IAsyncDisposable
{
    private readonly ConfirmChannel _channel = new(connection);

    public Task ToQueueAsync(string queue, BasicDeliverEventArgs delivery, IReadOnlyDictionary<string, object?> extraHeaders, CancellationToken cancellationToken) =>
        PublishAsync("", queue, delivery, extraHeaders, cancellationToken);

    public Task ToDeadLetterAsync(string queue, BasicDeliverEventArgs delivery, string reason, string detail, CancellationToken cancellationToken) =>
        PublishAsync(LabTopology.DeadLetterExchange, LabTopology.DeadLetterQueue(queue), delivery,
            new Dictionary<string, object?>
            {
                [MessageHeaders.DeadLetterReason] = reason,
                [MessageHeaders.DeadLetterDetail] = detail.Length > 1000 ? detail[..1000] : detail,
                [MessageHeaders.OriginalQueue] = queue,
            },
            cancellationToken);

    private async Task PublishAsync(string exchange, string routingKey, BasicDeliverEventArgs delivery,
        IReadOnlyDictionary<string, object?> extraHeaders, CancellationToken cancellationToken)
    {
        var headers = delivery.BasicProperties.Headers is { } original
            ? new Dictionary<string, object?>(original)
            : [];
        foreach (var (key, value) in extraHeaders)
        {
            headers[key] = value;
        }

        TraceContext.Inject(Activity.Current, headers);
        var properties = new BasicProperties
        {
            MessageId = delivery.BasicProperties.MessageId,
            ContentType = delivery.BasicProperties.ContentType,
            Persistent = true,
            Headers = headers,
        };
        var channel = await _channel.GetAsync(cancellationToken);
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, delivery.Body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
    }
}
