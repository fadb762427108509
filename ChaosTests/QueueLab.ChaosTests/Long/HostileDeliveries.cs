using System.Text;
using QueueLab.Rabbit;
using RabbitMQ.Client;

namespace QueueLab.ChaosTests.Long;

/// <summary>
/// Bad deliveries for pipeline A's long profile: each of a class its contract refuses (a negative retry count, a
/// missing state header, an unknown transition, a body that is not JSON), published with confirms to queue-1 during the
/// faults, tagged by its AMQP message-id property; afterwards each must be in queue-1's dead-letter queue exactly once
/// with its reason.
/// </summary>
public static class HostileDeliveries
{
    public const string Queue = "queue-1";

    public sealed record Delivery(string Tag, string Reason, Dictionary<string, object?> Headers, byte[] Body);

    public static IReadOnlyList<Delivery> For(string run)
    {
        var body = MessageFactory.Body(new MessageBody("hostile"));
        Dictionary<string, object?> Headers(string id, Action<Dictionary<string, object?>> change)
        {
            var headers = MessageFactory.Headers(id, StateTransitions.Validate);
            change(headers);
            return headers;
        }

        return
        [
            new($"{run}:negative-retry-count", DeadLetterReason.InvalidHeader.ToHeaderValue(), Headers($"neg-{run}", h => h[MessageHeaders.RetryCount] = -4), body),
            new($"{run}:missing-state", DeadLetterReason.MissingHeader.ToHeaderValue(), Headers($"missing-{run}", h => h.Remove(MessageHeaders.NextState)), body),
            new($"{run}:unknown-transition", DeadLetterReason.UnknownTransition.ToHeaderValue(), Headers($"unknown-{run}", h => h[MessageHeaders.NextState] = "nowhere"), body),
            new($"{run}:not-json", DeadLetterReason.UnparseableBody.ToHeaderValue(), MessageFactory.Headers($"notjson-{run}", StateTransitions.Validate), Encoding.UTF8.GetBytes("{not json")),
        ];
    }

    /// <summary>Publishes each with confirms, one by one over the run, again on a new channel until the broker confirms it
    /// (the broker may be restarting): a producer retries; the consumer dead-letters a copy once per delivery it gets.
    /// Returns the tags of the ones published more than once (the broker may have taken an earlier attempt too).</summary>
    public static async Task<IReadOnlyList<string>> PublishAsync(IConnection broker, IReadOnlyList<Delivery> deliveries)
    {
        var resent = new List<string>();
        foreach (var delivery in deliveries)
        {
            var attempts = 0;
            await Poll.UntilAsync(async () =>
            {
                attempts++;
                await using var channel = await broker.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true))
                    .ConfigureAwait(false);
                var properties = new BasicProperties { MessageId = delivery.Tag, Persistent = true, Headers = delivery.Headers };
                await channel.BasicPublishAsync(LabTopology.DirectExchange, "orders", mandatory: true, properties, delivery.Body).ConfigureAwait(false);
                return true;
            }, TimeSpan.FromMinutes(3), $"{delivery.Tag} is confirmed").ConfigureAwait(false);
            if (attempts > 1)
            {
                resent.Add(delivery.Tag);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false); // spread over the run: the schedule's pacing
        }

        return resent;
    }

    /// <summary>Takes everything out of queue-1's dead-letter queue; returns the copies tagged with <paramref name="run"/>:
    /// their reason, and whether the consumer flagged the copy as made from a redelivery (it may repeat an earlier one).</summary>
    public static async Task<List<(string Tag, string? Reason, bool Redelivered)>> DrainAsync(IConnection broker, string run)
    {
        await using var channel = await broker.CreateChannelAsync().ConfigureAwait(false);
        var found = new List<(string, string?, bool)>();
        while (await channel.BasicGetAsync(LabTopology.DeadLetterQueue(Queue), autoAck: true).ConfigureAwait(false) is { } result)
        {
            if (result.BasicProperties.MessageId is { } tag && tag.StartsWith(run + ":", StringComparison.Ordinal))
            {
                var headers = result.BasicProperties.Headers;
                found.Add((tag, HeaderValues.GetString(headers, MessageHeaders.DeadLetterReason),
                    headers is not null && headers.TryGetValue(MessageHeaders.DeadLetterRedelivered, out var flag) && flag is true));
            }
        }

        return found;
    }
}
