using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using QueueLab.Batching;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Processor;

/// <summary>
/// Processes one message that is already in this processor's in-flight list, and always ends by taking it out
/// of that list: completed (result in the stream), or dead-lettered with its reason. Failures of the work
/// count against the retry limit; failures of Redis or PostgreSQL are retried until they heal or the
/// processor stops (then the message stays in flight and is returned to the input).
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
    private readonly MicroBatcher<Completion, bool> _completions = new(
        batch => store.CompleteManyAsync(batch, systemOfRecord.RecordedByCompletionScript), MaxCompletionBatch);

    public async Task HandleAsync(TakenMessage taken, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var raw = taken.Raw;
        var parsed = MessageParser.Parse(raw, o.MaxPayloadBytes);
        if (parsed.Seq is long seq && !await IsClaimedAsync(taken, seq, cancellationToken).ConfigureAwait(false))
        {
            await DeadLetterAsync(raw, DeadLetterReasons.DuplicateSeq,
                $"seq {seq} was already taken by a different message; that first one is kept", seq, recordSkip: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (parsed.Message is not { } message)
        {
            await DeadLetterAsync(raw, parsed.Reason!, parsed.Detail!, parsed.Seq, recordSkip: parsed.Seq is not null, cancellationToken).ConfigureAwait(false);
            return;
        }

        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        using var activity = ProcessorTelemetry.Source.StartActivity($"process {message.Seq}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.destination.name", store.Keys.Input.ToString());
        activity?.SetTag("messaging.message.id", message.Seq);

        var processingAt = time.GetUtcNow();
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
                await DeadLetterAsync(raw, DeadLetterReasons.ProcessingFailed,
                    $"failed {attempt} attempts (limit {o.MaxRetries} retries): {ex.Message}", message.Seq, recordSkip: true, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        var processedAt = time.GetUtcNow();
        var result = new ProcessedResult(message.Seq, message.Payload, message.CreatedAt, processingAt, processedAt, store.ProcessorId, attempt);
        var body = OrderingJson.Serialize(result);
        await WithInfrastructureRetryAsync(() => systemOfRecord.RecordAsync(result, body, cancellationToken), cancellationToken).ConfigureAwait(false);

        var traceParent = activity?.Id ?? message.TraceParent ?? "";
        var completion = new Completion(message.Seq, raw, body, traceParent, processedAt.ToUnixTimeMilliseconds());
        await WithInfrastructureRetryAsync(() => _completions.SubmitAsync(completion), cancellationToken).ConfigureAwait(false);
        metrics.Processed(message.CreatedAt is { } created ? processingAt - created : null, processedAt - processingAt);
    }

    private Task<bool> IsClaimedAsync(TakenMessage taken, long seq, CancellationToken cancellationToken) => taken.Claim switch
    {
        SeqClaim.Claimed => Task.FromResult(true),
        SeqClaim.Duplicate => Task.FromResult(false),
        _ => WithInfrastructureRetryAsync(() => store.ClaimAsync(seq, taken.Raw), cancellationToken),
    };

    private async Task WorkAsync(long seq, int attempt, ProcessorOptions o, CancellationToken cancellationToken)
    {
        if (o.WorkTime > TimeSpan.Zero)
        {
            await Task.Delay(o.WorkTime, time, cancellationToken).ConfigureAwait(false);
        }

        if (o.FailureRate > 0 && Random.Shared.NextDouble() < o.FailureRate)
        {
            throw new SimulatedFailureException(seq, attempt);
        }
    }

    private async Task DeadLetterAsync(string raw, string reason, string detail, long? seq, bool recordSkip, CancellationToken cancellationToken)
    {
        var entry = OrderingJson.Serialize(new DeadLetter(reason, detail, seq, recordSkip && seq is not null, raw, store.ProcessorId, time.GetUtcNow()));
        await WithInfrastructureRetryAsync(() => store.DeadLetterAsync(raw, entry, seq, recordSkip, reason), cancellationToken).ConfigureAwait(false);
        metrics.DeadLettered(reason);
        LogDeadLettered(seq, reason, detail);
    }

    private Task WithInfrastructureRetryAsync(Func<Task> action, CancellationToken cancellationToken) =>
        WithInfrastructureRetryAsync(async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private async Task<T> WithInfrastructureRetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await action().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                LogInfrastructureRetry(ex.GetType().Name, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxInfrastructureBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seq {Seq}: attempt {Attempt} failed, retrying: {Error}")]
    private partial void LogRetrying(long seq, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered a message (seq {Seq}): {Reason}: {Detail}")]
    private partial void LogDeadLettered(long? seq, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis/PostgreSQL call failed ({Error}: {Detail}); retrying in {DelayMs} ms")]
    private partial void LogInfrastructureRetry(string error, string detail, double delayMs);
}
