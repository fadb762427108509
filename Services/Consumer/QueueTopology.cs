using Microsoft.Extensions.Options;
using QueueLab.Rabbit;
using RabbitMQ.Client;

namespace QueueLab.Consumer;

/// <summary>
/// Declares, idempotently, what a work queue needs: its exchange and binding, the dead-letter exchange and the
/// queue's DLQ, one delay queue per retry (TTL = that retry's backoff) and the held queue, both dead-lettering back to
/// the work queue through the default exchange. Quorum queues by default, with a delivery limit and at-least-once
/// dead-lettering.
/// </summary>
public sealed class QueueTopology(IConnection connection, IOptions<ConsumerOptions> options)
{
    private readonly ConsumerOptions _options = options.Value;

    public async Task DeclareAsync(QueueDefinition queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var binding = queue.Binding;
        await channel.ExchangeDeclareAsync(binding.ExchangeName, binding.ExchangeType, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(LabTopology.DeadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);

        var deadLetterQueue = LabTopology.DeadLetterQueue(queue.Name);
        await DeclareQueueAsync(channel, deadLetterQueue, BaseArguments(), cancellationToken);
        await channel.QueueBindAsync(deadLetterQueue, LabTopology.DeadLetterExchange, deadLetterQueue, cancellationToken: cancellationToken);

        var work = BaseArguments();
        work["x-dead-letter-exchange"] = LabTopology.DeadLetterExchange;
        work["x-dead-letter-routing-key"] = deadLetterQueue;
        if (_options.QueueType == QueueType.Quorum)
        {
            work["x-delivery-limit"] = _options.DeliveryLimit;
            AtLeastOnceDeadLettering(work);
        }

        await DeclareQueueAsync(channel, queue.Name, work, cancellationToken);
        await channel.QueueBindAsync(queue.Name, binding.ExchangeName, binding.RoutingKey, cancellationToken: cancellationToken);

        for (var attempt = 1; attempt <= _options.MaxRetries; attempt++)
        {
            var delay = Backoff.For(attempt, _options.RetryBaseDelay, _options.RetryMaxDelay);
            await DeclareQueueAsync(channel, LabTopology.RetryQueue(queue.Name, attempt), DelayArguments(queue.Name, delay), cancellationToken);
        }

        await DeclareQueueAsync(channel, LabTopology.HeldQueue(queue.Name), DelayArguments(queue.Name, _options.HeldRequeueDelay), cancellationToken);
    }

    private Dictionary<string, object?> BaseArguments() => new()
    {
        ["x-queue-type"] = _options.QueueType == QueueType.Quorum ? "quorum" : "classic",
    };

    private Dictionary<string, object?> DelayArguments(string workQueue, TimeSpan delay)
    {
        var arguments = BaseArguments();
        arguments["x-message-ttl"] = (long)delay.TotalMilliseconds;
        arguments["x-dead-letter-exchange"] = "";
        arguments["x-dead-letter-routing-key"] = workQueue;
        if (_options.QueueType == QueueType.Quorum)
        {
            AtLeastOnceDeadLettering(arguments);
        }

        return arguments;
    }

    private static void AtLeastOnceDeadLettering(Dictionary<string, object?> arguments)
    {
        // Quorum queues dead-letter at most once unless told otherwise; at-least-once needs reject-publish overflow.
        arguments["x-dead-letter-strategy"] = "at-least-once";
        arguments["x-overflow"] = "reject-publish";
    }

    private static Task DeclareQueueAsync(IChannel channel, string name, IDictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
}
