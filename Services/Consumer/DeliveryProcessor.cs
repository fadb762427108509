using System.Diagnostics;
using Microsoft.Extensions.Options;
using QueueLab.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.Consumer;

/// <summary>
/// Handles one delivery, acking it only once its outcome is durable. Phase 2, the order that cannot lose a message:
/// take the processing key (<c>SET NX PX</c>) → check / process → store the final state (<c>ON CONFLICT DO NOTHING</c>)
/// → delete the key → ack. A key held elsewhere sends the delivery to the held queue (it comes back after a delay);
/// a processing failure goes to a retry queue with exponential backoff, then to the dead-letter queue; bad input goes
/// straight to the dead-letter queue with its reason.
/// </summary>
public sealed partial class DeliveryProcessor(
    IOptions<ConsumerOptions> options, FinalStateStore store, MessageTracker tracker, RecentCompletions completions,
    Republisher republisher, SimulatedWork work, ConsumerTelemetry telemetry, TimeProvider time, ILogger<DeliveryProcessor> logger)
{
    private readonly ConsumerOptions _options = options.Value;

    public async Task HandleAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var received = time.GetTimestamp();
        var headers = delivery.BasicProperties.Headers;
        using var activity = ConsumerTelemetry.ActivitySource.StartActivity(
            $"process {queue}", ActivityKind.Consumer, TraceContext.Extract(headers));
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag(ConsumerTelemetry.QueueTag, queue);
        activity?.SetTag("queuelab.phase", _options.Phase);
        telemetry.Consumed(queue);
        try
        {
            var parsed = MessageParser.Parse(headers, delivery.Body, _options.MaxBodyBytes);
            activity?.SetTag("messaging.message.id", parsed.MessageId);
            if (!parsed.IsValid)
            {
                await DeadLetterAsync(queue, channel, delivery, parsed.MessageId,
                    HeaderValues.GetString(headers, MessageHeaders.CurrentState), parsed.Reason!.Value.ToHeaderValue(), parsed.Detail, cancellationToken);
                return;
            }

            var message = parsed.Message!;
            var processed = _options.Phase == 1
                ? await ProcessAsync(queue, channel, delivery, message, cancellationToken)
                : await ProcessOnceAsync(queue, channel, delivery, message, cancellationToken);
            if (processed)
            {
                telemetry.Processed(queue, time.GetElapsedTime(received).TotalMilliseconds);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Redis, PostgreSQL or the broker failed: hand the delivery back. Nothing was acked, so nothing is lost;
            // the queue's delivery limit stops an endless loop.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            LogHandlingFailed(logger, queue, delivery.DeliveryTag, ex);
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, cancellationToken);
        }
    }

    /// <summary>Phase 1: no dedup. Every delivery is processed and stored (the log shows every processing).</summary>
    private async Task<bool> ProcessAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await work.RunAsync(message, cancellationToken);
        }
        catch (ProcessingFailedException ex)
        {
            await RetryOrDeadLetterAsync(queue, channel, delivery, message, ex.Message, cancellationToken);
            return false;
        }

        await store.StoreAsync(ToFinalState(queue, message), cancellationToken);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        return true;
    }

    /// <summary>Phase 2: Redis processing key + PostgreSQL final state.</summary>
    private async Task<bool> ProcessOnceAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        var state = message.Transition.Current;
        var key = ProcessingKeys.For(queue, message.MessageId, state);
        if (completions.Contains(key))
        {
            await SkipDuplicateAsync(queue, channel, delivery, message, "in the recent-completions cache", cancellationToken);
            return false;
        }

        var owner = $"{_options.ConsumerId}:{Guid.NewGuid():N}";
        if (!await tracker.TryTakeAsync(key, owner, _options.ProcessingKeyTtl))
        {
            await RequeueHeldAsync(queue, channel, delivery, message, cancellationToken);
            return false;
        }

        var released = false;
        try
        {
            if (await store.ExistsAsync(queue, message.MessageId, state, cancellationToken))
            {
                completions.Add(key);
                await tracker.ReleaseAsync(key, owner);
                released = true;
                await SkipDuplicateAsync(queue, channel, delivery, message, "final state already stored", cancellationToken);
                return false;
            }

            try
            {
                await work.RunAsync(message, cancellationToken);
            }
            catch (ProcessingFailedException ex)
            {
                await tracker.ReleaseAsync(key, owner);
                released = true;
                await RetryOrDeadLetterAsync(queue, channel, delivery, message, ex.Message, cancellationToken);
                return false;
            }

            var stored = await store.StoreAsync(ToFinalState(queue, message), cancellationToken);
            completions.Add(key);
            if (!stored)
            {
                telemetry.Duplicate(queue);
            }

            await tracker.ReleaseAsync(key, owner);
            released = true;
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            return true;
        }
        finally
        {
            if (!released)
            {
                await ReleaseQuietlyAsync(key, owner);
            }
        }
    }

    private async Task SkipDuplicateAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, LabMessage message, string why, CancellationToken cancellationToken)
    {
        await store.LogAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Duplicate, why, cancellationToken);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        telemetry.Duplicate(queue);
        Activity.Current?.AddEvent(new ActivityEvent("duplicate skipped"));
    }

    private async Task RequeueHeldAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        var heldCount = message.HeldCount + 1;
        await republisher.ToQueueAsync(LabTopology.HeldQueue(queue), delivery,
            new Dictionary<string, object?> { [MessageHeaders.HeldCount] = heldCount, [MessageHeaders.OriginalQueue] = queue }, cancellationToken);
        await store.LogAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Held,
            $"processing key held by another consumer; back in {_options.HeldRequeueDelay.TotalMilliseconds:0} ms (time {heldCount})", cancellationToken);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        telemetry.Held(queue);
        LogHeld(logger, message.MessageId, queue, heldCount);
    }

    private async Task RetryOrDeadLetterAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, LabMessage message, string error, CancellationToken cancellationToken)
    {
        var attempt = message.RetryCount + 1;
        if (attempt > _options.MaxRetries)
        {
            await DeadLetterAsync(queue, channel, delivery, message.MessageId, message.Transition.Current,
                DeadLetterReason.RetriesExhausted.ToHeaderValue(), $"{_options.MaxRetries} retries failed; last error: {error}", cancellationToken);
            return;
        }

        await republisher.ToQueueAsync(LabTopology.RetryQueue(queue, attempt), delivery,
            new Dictionary<string, object?> { [MessageHeaders.RetryCount] = attempt, [MessageHeaders.OriginalQueue] = queue }, cancellationToken);
        await store.LogAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Retried, $"retry {attempt}: {error}", cancellationToken);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        telemetry.Retried(queue);
        LogRetry(logger, message.MessageId, queue, attempt, error);
    }

    private async Task DeadLetterAsync(string queue, IChannel channel, BasicDeliverEventArgs delivery, string? messageId, string? currentState,
        string reason, string detail, CancellationToken cancellationToken)
    {
        await republisher.ToDeadLetterAsync(queue, delivery, reason, detail, cancellationToken);
        await store.LogAsync(queue, messageId, currentState, ProcessingOutcomes.DeadLettered, $"{reason}: {detail}", cancellationToken);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
        telemetry.DeadLettered(queue, reason);
        Activity.Current?.SetStatus(ActivityStatusCode.Error, reason);
        LogDeadLettered(logger, messageId ?? "(no id)", queue, reason, detail);
    }

    private async Task ReleaseQuietlyAsync(string key, string owner)
    {
        try
        {
            await tracker.ReleaseAsync(key, owner);
        }
        catch (Exception ex)
        {
            // The key's TTL frees it anyway.
            LogReleaseFailed(logger, key, ex);
        }
    }

    private static FinalState ToFinalState(string queue, LabMessage message) => new(
        message.MessageId, message.Transition.Current, message.Transition.Next, queue,
        message.Body.CreatedAtUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(message.Body.CreatedAtUnixMs) : null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling delivery {DeliveryTag} from {Queue} failed; requeued")]
    private static partial void LogHandlingFailed(ILogger logger, string queue, ulong deliveryTag, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageId} on {Queue}: processing key held elsewhere; requeued with a delay (time {HeldCount})")]
    private static partial void LogHeld(ILogger logger, string messageId, string queue, int heldCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MessageId} on {Queue}: retry {Attempt} after failure: {Error}")]
    private static partial void LogRetry(ILogger logger, string messageId, string queue, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageId} on {Queue} dead-lettered: {Reason}: {Detail}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string queue, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing processing key {Key} failed; it expires by its TTL")]
    private static partial void LogReleaseFailed(ILogger logger, string key, Exception exception);
}
