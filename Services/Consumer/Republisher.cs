using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.Consumer;

/// <summary>
/// Sends a copy of a delivery to a delay queue (retry, held) or to the dead-letter exchange, with publisher confirms:
/// the caller acks the original only after the copy is confirmed, so a crash in between duplicates, never loses. A
/// confirm that does not come within <see cref="ConsumerOptions.ConfirmTimeout"/> fails the copy with a
/// <see cref="TimeoutException"/> (transient: the handling tries again), so a lost confirm cannot hold a delivery for ever.
/// </summary>
public sealed class Republisher(IConnection connection, IOptions<ConsumerOptions> options, TimeProvider time) : IAsyncDisposable
{
    private static readonly HashSet<string> KeptWhenTooBig =
        [.. MessageHeaders.Required, MessageHeaders.RetryCount, MessageHeaders.HeldCount, MessageHeaders.TraceParent, MessageHeaders.TraceState];

    private readonly ConfirmChannel _channel = new(connection, time);
    private readonly TimeSpan _confirmTimeout = options.Value.ConfirmTimeout;

    public Task ToQueueAsync(string queue, BasicDeliverEventArgs delivery, IReadOnlyDictionary<string, object?> extraHeaders, CancellationToken cancellationToken) =>
        PublishAsync("", queue, delivery, extraHeaders, cancellationToken);

    public Task ToDeadLetterAsync(string queue, BasicDeliverEventArgs delivery, string reason, string detail, CancellationToken cancellationToken) =>
        PublishAsync(LabTopology.DeadLetterExchange, LabTopology.DeadLetterQueue(queue), delivery,
            new Dictionary<string, object?>
            {
                [MessageHeaders.DeadLetterReason] = reason,
                [MessageHeaders.DeadLetterDetail] = Printable.Escape(detail, 1000),
                [MessageHeaders.OriginalQueue] = queue,
                [MessageHeaders.DeadLetterRedelivered] = delivery.Redelivered ? true : null,
            },
            cancellationToken);

    private async Task PublishAsync(string exchange, string routingKey, BasicDeliverEventArgs delivery,
        IReadOnlyDictionary<string, object?> extraHeaders, CancellationToken cancellationToken)
    {
        // Every header as it came (the reader gave back types the writer knows), but a name longer than AMQP's 255
        // bytes, which only a name of invalid UTF-8 read back as replacement characters can be: it could not be written.
        // When the headers are over the contract's size (only a dead letter carries such a message on), the copy keeps
        // only the pipeline's own headers of up to 1 KiB each, so that with the consumer's headers it fits in a frame:
        // a frame error would close this consumer's connection and bring the message back, again and again.
        var original = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        var originalBytes = HeaderSize.Of(original);
        var tooBig = originalBytes > MessageLimits.MaxHeaderBytes;
        var headers = new Dictionary<string, object?>();
        foreach (var (key, value) in original)
        {
            if (Encoding.UTF8.GetByteCount(key) <= 255 && (!tooBig || KeptWhenTooBig.Contains(key) && HeaderSize.Of(new Dictionary<string, object?> { [key] = value }) <= 1024))
            {
                headers[key] = value;
            }
        }

        if (tooBig)
        {
            headers[MessageHeaders.HeadersDropped] = $"{originalBytes} bytes of headers, over the limit of {MessageLimits.MaxHeaderBytes}: only the pipeline's own small ones are kept";
        }

        // A null extra header means "not on this copy": it also clears one the original carried.
        foreach (var (key, value) in extraHeaders)
        {
            if (value is null)
            {
                headers.Remove(key);
            }
            else
            {
                headers[key] = value;
            }
        }

        TraceContext.Inject(Activity.Current, headers);
        var properties = new BasicProperties
        {
            MessageId = delivery.BasicProperties.MessageId,
            ContentType = delivery.BasicProperties.ContentType,
            Persistent = true,
            Headers = headers,
        };
        await _channel.PublishAsync(exchange, routingKey, properties, delivery.Body, _confirmTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
    }
}
