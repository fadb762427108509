using System.Diagnostics;
using Microsoft.Extensions.Options;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.Consumer;

/// <summary>
/// Handles one delivery so that it ends in exactly one outcome: processed once, acked only once its final state is
/// durable, or dead-lettered once with a reason. Phase 2, the order that cannot lose a message: take the processing
/// key (<c>SET NX PX</c>) → check / process → store the final state (<c>ON CONFLICT DO NOTHING</c>) → delete the key
/// → ack. A key held elsewhere sends the delivery to the held queue (it comes back after a delay).
/// <para>
/// What went wrong decides what happens next, never a broker's delivery limit (classic queues have none): bad input,
/// as the parser decides once, is dead-lettered at once, and so is a message whose data a server refuses
/// (<see cref="FailureKind.DataError"/>); any other failure of its processing, the simulated work's included, sends it
/// to a retry queue with <c>x-retry-count</c> one higher, until <see cref="ConsumerOptions.MaxRetries"/> are spent and it
/// is dead-lettered; a <see cref="FailureKind.Transient"/> failure (a lost connection) keeps the delivery and tries
/// again in place, uncounted. A dead-letter, retry or held copy is confirmed before the delivery is acked, and its log
/// row is written on a best-effort basis, so a PostgreSQL outage cannot make the consumer publish a copy twice.
/// </para>
/// </summary>
public sealed partial class DeliveryProcessor(
    IOptions<ConsumerOptions> options, FinalStateStore store, MessageTracker tracker, RecentCompletions completions,
    Republisher republisher, SimulatedWork work, ConsumerTelemetry telemetry, TimeProvider time, ILogger<DeliveryProcessor> logger)
{
    /// <summary>How often an outcome's own publish may fail for a reason that waiting does not heal before the delivery
    /// is rejected to its queue's dead-letter exchange instead (the last resort: the DLQ without the consumer's reason).</summary>
    private const int MaxOutcomeFailures = 3;

    private const int MaxDetailChars = 1000;
    private const int MaxStateChars = 64;
    private const int LogAttempts = 3;

    private readonly ConsumerOptions _options = options.Value;

    /// <summary>What the handling of a delivery does next.</summary>
    private enum StepKind
    {
        Process,
        Retry,
        DeadLetter,
    }

    private readonly record struct Step(StepKind Kind, string Reason, string Detail);

    /// <summary>
    /// Handles <paramref name="delivery"/> until it has its outcome. <paramref name="letGo"/> asks it to stop trying
    /// again in place (the queue is being let go, or the channel it came on has closed): the delivery then goes back to
    /// the queue unacked. <paramref name="cancellationToken"/> aborts everything.
    /// </summary>
    public async Task HandleAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, CancellationToken letGo, CancellationToken cancellationToken)
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
        telemetry.InFlight(queue, 1);
        try
        {
            if (headers is not null && headers.TryGetValue(MessageHeaders.PublishedAt, out var publishedAt)
                && HeaderValues.TryReadLong(publishedAt, out var publishedAtMs)
                && time.GetUtcNow().ToUnixTimeMilliseconds() - publishedAtMs is >= 0 and var waitedMs)
            {
                telemetry.Waited(queue, TimeSpan.FromMilliseconds(waitedMs));
            }

            await HandleParsedAsync(queue, acks, delivery, activity, received, letGo, cancellationToken);
        }
        finally
        {
            telemetry.InFlight(queue, -1);
        }
    }

    private async Task HandleParsedAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, Activity? activity, long received,
        CancellationToken letGo, CancellationToken cancellationToken)
    {
        var headers = delivery.BasicProperties.Headers;

        var parsed = MessageParser.Parse(headers, delivery.Body, _options.MaxBodyBytes);
        activity?.SetTag("messaging.message.id", parsed.MessageId);
        var step = parsed.IsValid ? new Step(StepKind.Process, "", "") : new Step(StepKind.DeadLetter, parsed.Reason!.Value.ToHeaderValue(), parsed.Detail);
        var outcomeFailures = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await RunAsync(step, queue, acks, delivery, parsed, cancellationToken))
                {
                    telemetry.Processed(queue, time.GetElapsedTime(received));
                }

                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                var kind = FailureKinds.Classify(ex);
                LogHandlingFailed(logger, parsed.MessageId ?? "(no id)", delivery.DeliveryTag, queue, step.Kind.ToString(), kind.ToString(), attempt, ex);
                if (!acks.ChannelIsOpen)
                {
                    // Nothing was acked and the channel is gone: the broker has put the delivery back already.
                    return;
                }

                if (step.Kind == StepKind.Process && kind != FailureKind.Transient)
                {
                    step = kind == FailureKind.DataError
                        ? new Step(StepKind.DeadLetter, DeadLetterReason.DataError.ToHeaderValue(), FailureKinds.Describe(ex))
                        : new Step(StepKind.Retry, "", FailureKinds.Describe(ex));
                    continue;
                }

                if (kind != FailureKind.Transient && ++outcomeFailures >= MaxOutcomeFailures)
                {
                    await RejectAsync(queue, acks, delivery, parsed, step, ex, cancellationToken);
                    return;
                }

                if (!await WaitToTryAgainAsync(attempt, letGo, cancellationToken))
                {
                    await HandBackAsync(queue, acks, delivery, cancellationToken);
                    return;
                }
            }
        }
    }

    /// <summary>Runs one step; true when the delivery was processed and stored by this handling.</summary>
    private async Task<bool> RunAsync(Step step, string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, ParseResult parsed, CancellationToken cancellationToken)
    {
        switch (step.Kind)
        {
            case StepKind.Process when _options.Phase == 1:
                return await ProcessAsync(queue, acks, delivery, parsed.Message!, cancellationToken);
            case StepKind.Process:
                return await ProcessOnceAsync(queue, acks, delivery, parsed.Message!, cancellationToken);
            case StepKind.Retry:
                await RetryOrDeadLetterAsync(queue, acks, delivery, parsed.Message!, step.Detail, cancellationToken);
                return false;
            default:
                await DeadLetterAsync(queue, acks, delivery, parsed.MessageId, CurrentStateOf(delivery, parsed), step.Reason, step.Detail, cancellationToken);
                return false;
        }
    }

    /// <summary>Phase 1: no dedup. Every delivery is processed and stored (the log shows every processing).</summary>
    private async Task<bool> ProcessAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        await work.RunAsync(message, cancellationToken);
        await store.StoreAsync(ToFinalState(queue, message), cancellationToken);
        await acks.AckAsync(cancellationToken);
        return true;
    }

    /// <summary>Phase 2: Redis processing key + PostgreSQL final state.</summary>
    private async Task<bool> ProcessOnceAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        var state = message.Transition.Current;
        var key = ProcessingKeys.For(queue, message.MessageId, state);
        if (completions.Contains(key))
        {
            await SkipDuplicateAsync(queue, acks, delivery, message, "in the recent-completions cache", cancellationToken);
            return false;
        }

        var owner = $"{_options.ConsumerId}:{Guid.NewGuid():N}";
        if (!await tracker.TryTakeAsync(key, owner, _options.ProcessingKeyTtl))
        {
            await RequeueHeldAsync(queue, acks, delivery, message, cancellationToken);
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
                await SkipDuplicateAsync(queue, acks, delivery, message, "final state already stored", cancellationToken);
                return false;
            }

            // A failure of the work or of the store leaves through the finally (the key is released) to HandleAsync,
            // which retries or dead-letters the delivery.
            await work.RunAsync(message, cancellationToken);
            var stored = await store.StoreAsync(ToFinalState(queue, message), cancellationToken);
            completions.Add(key);
            if (!stored)
            {
                telemetry.Duplicate(queue);
            }

            await tracker.ReleaseAsync(key, owner);
            released = true;
            await acks.AckAsync(cancellationToken);
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

    private async Task SkipDuplicateAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, LabMessage message, string why, CancellationToken cancellationToken)
    {
        await LogQuietlyAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Duplicate, why, cancellationToken);
        await acks.AckAsync(cancellationToken);
        telemetry.Duplicate(queue);
        Activity.Current?.AddEvent(new ActivityEvent("duplicate skipped"));
    }

    private async Task RequeueHeldAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, LabMessage message, CancellationToken cancellationToken)
    {
        var heldCount = Math.Min(message.HeldCount + 1, MessageLimits.MaxCount);
        await republisher.ToQueueAsync(LabTopology.HeldQueue(queue), delivery,
            new Dictionary<string, object?> { [MessageHeaders.HeldCount] = heldCount, [MessageHeaders.OriginalQueue] = queue }, cancellationToken);
        await LogQuietlyAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Held,
            $"processing key held by another consumer; back in {_options.HeldRequeueDelay.TotalMilliseconds:0} ms (time {heldCount})", cancellationToken);
        await acks.AckAsync(cancellationToken);
        telemetry.Held(queue);
        LogHeld(logger, message.MessageId, queue, heldCount);
    }

    private async Task RetryOrDeadLetterAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, LabMessage message, string error, CancellationToken cancellationToken)
    {
        // The count comes from the message (0 to MessageLimits.MaxCount, as the parser checked), so every attempt
        // names a retry queue that exists, and a count at or past MaxRetries ends here.
        if (message.RetryCount >= _options.MaxRetries)
        {
            await DeadLetterAsync(queue, acks, delivery, message.MessageId, message.Transition.Current,
                DeadLetterReason.RetriesExhausted.ToHeaderValue(), $"{_options.MaxRetries} retries failed; last error: {error}", cancellationToken);
            return;
        }

        var attempt = message.RetryCount + 1;
        await republisher.ToQueueAsync(LabTopology.RetryQueue(queue, attempt), delivery,
            new Dictionary<string, object?> { [MessageHeaders.RetryCount] = attempt, [MessageHeaders.OriginalQueue] = queue }, cancellationToken);
        await LogQuietlyAsync(queue, message.MessageId, message.Transition.Current, ProcessingOutcomes.Retried, $"retry {attempt}: {error}", cancellationToken);
        await acks.AckAsync(cancellationToken);
        telemetry.Retried(queue);
        LogRetry(logger, message.MessageId, queue, attempt, error);
    }

    private async Task DeadLetterAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, string? messageId, string? currentState,
        string reason, string detail, CancellationToken cancellationToken)
    {
        detail = Printable.Escape(detail, MaxDetailChars);
        if (delivery.Redelivered && await AlreadyDeadLetteredAsync(queue, messageId, currentState, cancellationToken))
        {
            // The copy went to the dead-letter queue (its log row is written only after the broker confirmed it), but the
            // ack was lost with a connection or the broker: the delivery came back. One dead letter is enough.
            await acks.AckAsync(cancellationToken);
            LogAlreadyDeadLettered(logger, messageId ?? "(no id)", queue, reason);
            return;
        }

        await republisher.ToDeadLetterAsync(queue, delivery, reason, detail, cancellationToken);
        await LogQuietlyAsync(queue, messageId, currentState, ProcessingOutcomes.DeadLettered, $"{reason}: {detail}", cancellationToken);
        await acks.AckAsync(cancellationToken);
        telemetry.DeadLettered(queue, reason);
        Activity.Current?.SetStatus(ActivityStatusCode.Error, reason);
        LogDeadLettered(logger, messageId ?? "(no id)", queue, reason, detail);
    }

    /// <summary>
    /// The last resort when an outcome cannot be published (a copy the client cannot write, a queue that is gone):
    /// reject the delivery without requeue, so the work queue's own dead-letter exchange moves it to the DLQ (its
    /// <c>x-death</c> says <c>rejected</c>; the consumer's reason is in the log). Never a loop.
    /// </summary>
    private async Task RejectAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, ParseResult parsed, Step step, Exception error,
        CancellationToken cancellationToken)
    {
        var detail = $"{step.Kind} failed {MaxOutcomeFailures} times ({FailureKinds.Describe(error)}); rejected to the queue's dead-letter exchange" +
            (step.Kind == StepKind.DeadLetter ? $" ({step.Reason}: {step.Detail})" : "");
        try
        {
            await acks.NackAsync(requeue: false, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The channel closed first: the broker has put the delivery back; its next handling starts afresh.
            LogHandBackFailed(logger, queue, delivery.DeliveryTag, ex);
            return;
        }

        await LogQuietlyAsync(queue, parsed.MessageId, CurrentStateOf(delivery, parsed), ProcessingOutcomes.DeadLettered,
            Printable.Escape(detail, MaxDetailChars), cancellationToken);
        telemetry.DeadLettered(queue, "rejected");
        LogDeadLettered(logger, parsed.MessageId ?? "(no id)", queue, "rejected", detail);
    }

    /// <summary>Waits before trying a transient failure again; false when <paramref name="letGo"/> asks to stop first.</summary>
    private async Task<bool> WaitToTryAgainAsync(int attempt, CancellationToken letGo, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(letGo, cancellationToken);
        try
        {
            await Task.Delay(Backoff.For(attempt, _options.TransientRetryBaseDelay, _options.TransientRetryMaxDelay), time, either.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Returns the delivery to its queue unacked (nothing happens if its channel is already gone: the broker
    /// has returned it, or, after a recovery, ignores the old delivery tag).</summary>
    private async Task HandBackAsync(string queue, DeliveryAcks acks, BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        try
        {
            await acks.NackAsync(requeue: true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandBackFailed(logger, queue, delivery.DeliveryTag, ex);
        }
    }

    /// <summary>
    /// Appends to the processing log, trying a transient failure again a few times; never throws (but for
    /// cancellation). The log is the record, not the outcome: the outcome's copy is already confirmed, and failing
    /// here would hand the delivery back to be copied again.
    /// </summary>
    /// <summary>Whether this (message, state, queue) was dead-lettered before, by the log; false when the log cannot say
    /// (no id, or PostgreSQL unreachable): the copy is then sent again, flagged as made from a redelivery.</summary>
    private async Task<bool> AlreadyDeadLetteredAsync(string queue, string? messageId, string? currentState, CancellationToken cancellationToken)
    {
        if (messageId is null || currentState is null)
        {
            return false;
        }

        try
        {
            return await store.LoggedAsync(queue, Printable.Escape(messageId, MessageLimits.MaxMessageIdBytes), Printable.Escape(currentState, MaxStateChars),
                ProcessingOutcomes.DeadLettered, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task LogQuietlyAsync(string queue, string? messageId, string? currentState, string outcome, string? detail, CancellationToken cancellationToken)
    {
        messageId = messageId is null ? null : Printable.Escape(messageId, MessageLimits.MaxMessageIdBytes);
        currentState = currentState is null ? null : Printable.Escape(currentState, MaxStateChars);
        detail = detail is null ? null : Printable.Escape(detail, MaxDetailChars);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.LogAsync(queue, messageId, currentState, outcome, detail, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= LogAttempts || FailureKinds.Classify(ex) != FailureKind.Transient)
                {
                    LogLogFailed(logger, outcome, messageId ?? "(no id)", queue, ex);
                    return;
                }

                await Task.Delay(Backoff.For(attempt, _options.TransientRetryBaseDelay, _options.TransientRetryMaxDelay), time, cancellationToken);
            }
        }
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

    private static string? CurrentStateOf(BasicDeliverEventArgs delivery, ParseResult parsed) =>
        parsed.Message?.Transition.Current ?? HeaderValues.GetString(delivery.BasicProperties.Headers, MessageHeaders.CurrentState);

    private static FinalState ToFinalState(string queue, LabMessage message) => new(
        message.MessageId, message.Transition.Current, message.Transition.Next, queue,
        message.Body.CreatedAtUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(message.Body.CreatedAtUnixMs) : null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling {MessageId} (delivery {DeliveryTag} from {Queue}) failed at {Step}: {Kind}, attempt {Attempt}")]
    private static partial void LogHandlingFailed(ILogger logger, string messageId, ulong deliveryTag, string queue, string step, string kind, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing delivery {DeliveryTag} of {Queue} back failed; its channel is gone, so the broker has it")]
    private static partial void LogHandBackFailed(ILogger logger, string queue, ulong deliveryTag, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageId} on {Queue}: processing key held elsewhere; requeued with a delay (time {HeldCount})")]
    private static partial void LogHeld(ILogger logger, string messageId, string queue, int heldCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MessageId} on {Queue}: retry {Attempt} after failure: {Error}")]
    private static partial void LogRetry(ILogger logger, string messageId, string queue, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MessageId} on {Queue} came back after its dead letter ({Reason}) was sent; acked without a second one")]
    private static partial void LogAlreadyDeadLettered(ILogger logger, string messageId, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageId} on {Queue} dead-lettered: {Reason}: {Detail}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string queue, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the processing log ({Outcome}) for {MessageId} on {Queue} failed; the outcome stands, its log row is missing")]
    private static partial void LogLogFailed(ILogger logger, string outcome, string messageId, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing processing key {Key} failed; it expires by its TTL")]
    private static partial void LogReleaseFailed(ILogger logger, string key, Exception exception);
}
