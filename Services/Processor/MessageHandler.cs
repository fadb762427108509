using System.Diagnostics;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using QueueLab.Concurrency;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;

namespace QueueLab.Processor;

/// <summary>
/// Processes one message that is already in this processor's in-flight list, and always ends by taking it out of
/// that list exactly once: completed (result in the stream), or dead-lettered with its reason (once: the dead-letter
/// script writes only if it removed the message). Whatever the message's bytes, it ends in exactly one of the two.
/// Failures of the work count against the retry limit; transient failures of Redis or PostgreSQL are retried until
/// they heal or the processor stops (then the message stays in flight and is returned to the input); a data error
/// that retrying cannot heal dead-letters the message at once. Messages with no work to wait for are handled a batch
/// at a time (<see cref="HandleBatchAsync"/>, in MessageHandler.Batch.cs), with the same steps and outcomes.
/// </summary>
public sealed partial class MessageHandler(
    ProcessorStore store,
    ISystemOfRecord systemOfRecord,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<MessageHandler> logger)
{
    private static readonly TimeSpan MaxInfrastructureBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The most messages one completion script call completes.</summary>
    public const int MaxCompletionBatch = 256;

    // Messages that finish together are completed in one script call (one round trip and one script run for the
    // group, not one per message); each handler still waits for its own message's completion.
    private readonly MicroBatcher<Completion, CompletionOutcome> _completions = new(
        batch => store.CompleteManyAsync(batch, systemOfRecord.RecordedByCompletionScript), MaxCompletionBatch);

    private readonly string _input = store.Keys.Input.ToString();

    public async Task HandleAsync(TakenMessage taken, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var parsed = taken.Parsed;
        switch (taken.Claim)
        {
            case SeqClaim.Duplicate:
                await DeadLetterAsync(taken, DeadLetterReasons.DuplicateSeq,
                    $"{Describe(parsed)} belongs to another message (a different message claimed it first, or it was already passed)",
                    SkipMode.None, cancellationToken).ConfigureAwait(false);
                return;
            case SeqClaim.WrongPartition:
                var owner = parsed.Key is { } key && store.Keys.PerKey ? store.Keys.ForKey(key) : store.Keys.ForSeq(parsed.Seq!.Value);
                await DeadLetterAsync(taken, DeadLetterReasons.WrongPartition,
                    $"{(store.Keys.PerKey ? $"key \"{parsed.Key}\"" : $"seq {parsed.Seq}")} belongs to partition {owner.Partition} of "
                    + $"{store.Keys.Partitions}, and this is partition {store.Keys.Partition}'s input; push it to {owner.Input}",
                    SkipMode.None, cancellationToken).ConfigureAwait(false);
                return;
            case SeqClaim.Finished:
                await DeadLetterAsync(taken, DeadLetterReasons.DuplicateSeq,
                    $"an identical copy of this message already decided {Describe(parsed)}", SkipMode.None, cancellationToken).ConfigureAwait(false);
                return;
        }

        if (parsed.Message is not { } message)
        {
            await DeadLetterAsync(taken, parsed.Reason!, parsed.Detail!, SkipMode.IfUndecided, cancellationToken).ConfigureAwait(false);
            return;
        }

        var processingAt = time.GetUtcNow();
        using var activity = ProcessorTelemetry.StartProcess(message, _input, processingAt);
        if (activity is not null)
        {
            // One message per flow here: its Redis and PostgreSQL calls nest under its span, as they always did.
            Activity.Current = activity;
        }

        var started = time.GetTimestamp();
        var attempt = 1;
        while (true)
        {
            try
            {
                await WorkAsync(message.Seq, attempt, o, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (SimulatedFailureException ex) when (attempt <= o.MaxRetries)
            {
                metrics.Retried();
                LogRetrying(message.Seq, attempt, ex.Message);
                await Task.Delay(o.RetryBaseDelay * Math.Pow(2, attempt - 1), time, cancellationToken).ConfigureAwait(false);
                attempt++;
            }
            catch (SimulatedFailureException ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                await DeadLetterAsync(taken, DeadLetterReasons.ProcessingFailed,
                    $"failed {attempt} attempts (limit {o.MaxRetries} retries): {ex.Message}", SkipMode.IfUndecided, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        // From the precise clock: processedAt - processingAt is exactly the measured time, never less than the work.
        var processedAt = processingAt + time.GetElapsedTime(started);
        var result = new ProcessedResult(message.Seq, message.Payload, message.CreatedAt, processingAt, processedAt, store.ProcessorId, attempt) { Key = message.Key };
        var body = OrderingJson.Serialize(result);
        var traceParent = ProcessorTelemetry.TraceParentFor(activity, message);
        var completion = new Completion(taken.Id!, taken.Raw, taken.Fingerprint, body, traceParent, processedAt.ToUnixTimeMilliseconds());

        if (!systemOfRecord.RecordedByCompletionScript)
        {
            if (await InfrastructureRetry.RunAsync(() => store.ReserveAsync([completion]), time, OnRetry, cancellationToken).ConfigureAwait(false) is not [true])
            {
                await DeadLetterDecidedAsync(taken, "its result was ready", cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                await InfrastructureRetry.RunAsync(() => systemOfRecord.RecordAsync(result, body, cancellationToken), time, OnRetry, cancellationToken).ConfigureAwait(false);
            }
            catch (RecordRejectedException ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                await DeadLetterAsync(taken, DeadLetterReasons.RecordRejected, ex.Message, SkipMode.IfUndecidedOrPending, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        var outcome = await InfrastructureRetry.RunAsync(() => _completions.SubmitAsync(completion), time, OnRetry, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case CompletionOutcome.Completed:
                metrics.Processed(1);
                metrics.Timings(message.CreatedAt is { } created ? processingAt - created : null, processedAt - processingAt);
                break;
            case CompletionOutcome.Decided:
                await DeadLetterDecidedAsync(taken, "its result was ready", cancellationToken).ConfigureAwait(false);
                break;
            default:
                LogLost(message.Seq);
                break;
        }
    }

    /// <summary>
    /// The last resort for a message whose handling kept failing unexpectedly: dead-letter it (skipping its seq even if
    /// a record is pending, so the sequencer never waits for it for good).
    /// </summary>
    public Task GiveUpAsync(TakenMessage taken, Exception error, int failures, CancellationToken cancellationToken) =>
        DeadLetterAsync(taken, DeadLetterReasons.HandlerFailed,
            $"handling failed unexpectedly {failures} times; last: {error.GetType().Name}: {error.Message}", SkipMode.IfUndecidedOrPending, cancellationToken);

    /// <summary>Dead-letters a message that was reclaimed from dead processors too often.</summary>
    public Task QuarantineAsync(TakenMessage taken, int maxReclaims, CancellationToken cancellationToken) =>
        DeadLetterAsync(taken, DeadLetterReasons.ReclaimedTooOften,
            $"reclaimed from dead processors more than {maxReclaims} times: it may be what kills them", SkipMode.IfUndecidedOrPending, cancellationToken);

    private async Task WorkAsync(long seq, int attempt, ProcessorOptions o, CancellationToken cancellationToken)
    {
        if (o.WorkTime > TimeSpan.Zero)
        {
            await PreciseDelay.DelayAsync(time, o.WorkTime, cancellationToken).ConfigureAwait(false);
        }

        if (o.FailureRate > 0 && Random.Shared.NextDouble() < o.FailureRate)
        {
            throw new SimulatedFailureException(seq, attempt);
        }
    }

    private Task DeadLetterDecidedAsync(TakenMessage taken, string when, CancellationToken cancellationToken) =>
        DeadLetterAsync(taken, DeadLetterReasons.DuplicateSeq,
            $"{Describe(taken.Parsed)} already had its outcome when {when} (an identical copy was processed or skipped first)",
            SkipMode.None, cancellationToken);

    private async Task DeadLetterAsync(TakenMessage taken, string reason, string detail, SkipMode skip, CancellationToken cancellationToken)
    {
        var seq = taken.Parsed.Seq;
        var skipping = skip != SkipMode.None && taken.Id is not null && taken.Claim == SeqClaim.Claimed;
        var outcome = await WriteDeadLetterAsync(taken, reason, detail, skipping ? skip : SkipMode.None, cancellationToken).ConfigureAwait(false);
        if (outcome == DeadLetterOutcome.Decided)
        {
            // Asked to skip a seq that has an outcome already: this message is a duplicate of the one that decided it.
            reason = DeadLetterReasons.DuplicateSeq;
            detail = $"{Describe(taken.Parsed)} already had its outcome; this message was rejected as {detail}";
            skipping = false;
            outcome = await WriteDeadLetterAsync(taken, reason, detail, SkipMode.None, cancellationToken).ConfigureAwait(false);
        }

        if (outcome == DeadLetterOutcome.Written)
        {
            metrics.DeadLettered(reason);
            LogDeadLettered(seq, reason, detail, skipping);
        }
        else
        {
            LogLost(seq);
        }
    }

    private Task<DeadLetterOutcome> WriteDeadLetterAsync(TakenMessage taken, string reason, string detail, SkipMode skip, CancellationToken cancellationToken)
    {
        var valid = Utf8.IsValid(taken.Raw);
        var entry = OrderingJson.Serialize(new DeadLetter(reason, detail, taken.Parsed.Seq, skip != SkipMode.None,
            valid ? System.Text.Encoding.UTF8.GetString(taken.Raw) : null, store.ProcessorId, time.GetUtcNow(),
            valid ? null : Convert.ToBase64String(taken.Raw)) { Key = taken.Parsed.Key });
        return InfrastructureRetry.RunAsync(
            () => store.DeadLetterAsync(taken.Raw, taken.Fingerprint, entry, skip == SkipMode.None ? null : taken.Id, skip, reason), time, OnRetry, cancellationToken);
    }

    /// <summary>"seq 5", or per key "seq 5 of key "a"".</summary>
    private static string Describe(Ordering.Parsing.ParsedMessage parsed) =>
        parsed.Key is { } key ? $"seq {parsed.Seq} of key \"{key}\"" : $"seq {parsed.Seq}";

    private void OnRetry(Exception ex, TimeSpan delay) => LogInfrastructureRetry(ex.GetType().Name, ex.Message, delay.TotalMilliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seq {Seq}: attempt {Attempt} failed, retrying: {Error}")]
    private partial void LogRetrying(long seq, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered a message (seq {Seq}): {Reason}: {Detail} (seq skipped: {Skipped})")]
    private partial void LogDeadLettered(long? seq, string reason, string detail, bool skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seq {Seq}: the message left this processor's in-flight list before it finished (reclaimed while this processor was paused); its new owner finishes it")]
    private partial void LogLost(long? seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis/PostgreSQL call failed ({Error}: {Detail}); retrying in {DelayMs} ms")]
    private partial void LogInfrastructureRetry(string error, string detail, double delayMs);
}
