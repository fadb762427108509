using System.Diagnostics;
using QueueLab.Ordering.Buffers;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;

namespace QueueLab.Processor;

public sealed partial class MessageHandler
{
    /// <summary>
    /// Handles messages that claimed their seq and have no work to wait for (<c>WorkTime</c> 0, no simulated failures),
    /// as one batch: the same steps as <see cref="HandleAsync"/> (work, then with PostgreSQL reserve and record, then
    /// complete), without a task per message. The result bodies are written as UTF-8 straight into one pooled buffer
    /// and the batch is completed in one script call (<see cref="MaxCompletionBatch"/> at most per call); each message
    /// still gets its own answer, and a duplicate or a refused record is dead-lettered exactly as on its own.
    /// Called by one loop at a time.
    /// </summary>
    public async Task HandleBatchAsync(IReadOnlyList<TakenMessage> batch, CancellationToken cancellationToken)
    {
        var processingAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        // WorkTime 0 and no simulated failure: the work is done the moment it starts, for every message of the batch.
        var processedAt = processingAt + time.GetElapsedTime(started);
        var processedAtMs = processedAt.ToUnixTimeMilliseconds();

        var activities = ProcessorTelemetry.Source.HasListeners() ? new Activity?[batch.Count] : null;
        var bodies = new PooledBufferWriter(batch.Count * 256);
        var ends = new int[batch.Count];
        var json = new ResultJson();
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Parsed.Message!;
            if (activities is not null)
            {
                activities[i] = ProcessorTelemetry.StartProcess(message, _input, processingAt);
            }

            json.Write(bodies, message.Seq, message.Payload, message.CreatedAt, processingAt, processedAt, store.ProcessorId, 1, message.Key);
            ends[i] = bodies.WrittenCount;
        }

        try
        {
            var written = bodies.WrittenMemory;
            var pending = new List<(TakenMessage Taken, Completion Completion, Activity? Activity)>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var message = batch[i].Parsed.Message!;
                var start = i == 0 ? 0 : ends[i - 1];
                var activity = activities?[i];
                pending.Add((batch[i], new Completion(batch[i].Id!, batch[i].Raw, batch[i].Fingerprint, written[start..ends[i]],
                    ProcessorTelemetry.TraceParentFor(activity, message), processedAtMs), activity));
            }

            if (!systemOfRecord.RecordedByCompletionScript)
            {
                pending = await RecordBatchAsync(pending, processingAt, processedAt, cancellationToken).ConfigureAwait(false);
            }

            for (var from = 0; from < pending.Count; from += MaxCompletionBatch)
            {
                var chunk = pending.GetRange(from, Math.Min(MaxCompletionBatch, pending.Count - from));
                var completions = chunk.ConvertAll(p => p.Completion);
                var outcomes = await InBatchSpanAsync("complete", chunk, () => InfrastructureRetry.RunAsync(
                    () => store.CompleteManyAsync(completions, systemOfRecord.RecordedByCompletionScript), time, OnRetry, cancellationToken)).ConfigureAwait(false);
                await ConcludeAsync(chunk, outcomes, processingAt, processedAt, cancellationToken).ConfigureAwait(false);
            }

            // Only after every call that held the bytes has answered; a failed or timed-out call keeps them (no Return).
            bodies.Return();
        }
        finally
        {
            if (activities is not null)
            {
                foreach (var activity in activities)
                {
                    activity?.Dispose();
                }
            }
        }
    }

    /// <summary>Runs one call that serves <paramref name="messages"/> under their batch span (see
    /// <see cref="ProcessorTelemetry.StartBatchCall"/>), and gives back the ambient activity after.</summary>
    private static async Task<T> InBatchSpanAsync<T>(string operation, List<(TakenMessage Taken, Completion Completion, Activity? Activity)> messages, Func<Task<T>> call)
    {
        var previous = Activity.Current;
        var activity = ProcessorTelemetry.StartBatchCall(operation, messages.Select(m => m.Activity), messages.Count);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            activity?.Dispose();
            Activity.Current = previous;
        }
    }

    private async Task ConcludeAsync(List<(TakenMessage Taken, Completion Completion, Activity? Activity)> chunk,
        IReadOnlyList<CompletionOutcome> outcomes, DateTimeOffset processingAt, DateTimeOffset processedAt, CancellationToken cancellationToken)
    {
        var completed = 0;
        for (var i = 0; i < chunk.Count; i++)
        {
            var (taken, _, _) = chunk[i];
            switch (outcomes[i])
            {
                case CompletionOutcome.Completed:
                    completed++;
                    metrics.Timings(taken.Parsed.Message!.CreatedAt is { } created ? processingAt - created : null, processedAt - processingAt);
                    break;
                case CompletionOutcome.Decided:
                    await DeadLetterDecidedAsync(taken, "its result was ready", cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    LogLost(taken.Parsed.Seq);
                    break;
            }
        }

        metrics.Processed(completed);
    }

    /// <summary>
    /// PostgreSQL as the system of record: reserve the batch's seqs in one script call (a seq decided meanwhile is
    /// dead-lettered as a duplicate), then record every reserved result (the records of one batch share a commit), and
    /// dead-letter the ones PostgreSQL refuses. Returns what is left to complete.
    /// </summary>
    private async Task<List<(TakenMessage Taken, Completion Completion, Activity? Activity)>> RecordBatchAsync(
        List<(TakenMessage Taken, Completion Completion, Activity? Activity)> pending, DateTimeOffset processingAt, DateTimeOffset processedAt,
        CancellationToken cancellationToken)
    {
        var completions = pending.ConvertAll(p => p.Completion);
        var reserved = await InBatchSpanAsync("reserve", pending,
            () => InfrastructureRetry.RunAsync(() => store.ReserveAsync(completions), time, OnRetry, cancellationToken)).ConfigureAwait(false);
        var recording = new List<(TakenMessage Taken, Completion Completion, Activity? Activity, Task Recorded)>(pending.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            var (taken, completion, activity) = pending[i];
            if (!reserved[i])
            {
                await DeadLetterDecidedAsync(taken, "its result was ready", cancellationToken).ConfigureAwait(false);
                continue;
            }

            var message = taken.Parsed.Message!;
            var result = new ProcessedResult(message.Seq, message.Payload, message.CreatedAt, processingAt, processedAt, store.ProcessorId, 1) { Key = message.Key };
            var body = (string)completion.Body!;
            recording.Add((taken, completion, activity,
                InfrastructureRetry.RunAsync(() => systemOfRecord.RecordAsync(result, body, cancellationToken), time, OnRetry, cancellationToken)));
        }

        var left = new List<(TakenMessage Taken, Completion Completion, Activity? Activity)>(recording.Count);
        foreach (var (taken, completion, activity, recorded) in recording)
        {
            try
            {
                await recorded.ConfigureAwait(false);
                left.Add((taken, completion, activity));
            }
            catch (RecordRejectedException ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                await DeadLetterAsync(taken, DeadLetterReasons.RecordRejected, ex.Message, SkipMode.IfUndecidedOrPending, cancellationToken).ConfigureAwait(false);
            }
        }

        return left;
    }
}
