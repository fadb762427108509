using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Parsing;
using QueueLab.Ordering.Redis;

namespace QueueLab.Processor;

/// <summary>
/// One partition's take loop in a processor (<see cref="ProcessorWorker"/> runs one per partition, all sharing the
/// processor's <c>MaxInFlight</c> slots): whenever slots are free it moves that many messages (at most its fair share of
/// the slots, <see cref="SlotShare"/>) from the partition's input into this processor's in-flight list of the partition in one script call, parses and claims them in a second one, and
/// hands them to the <see cref="MessageHandler"/>. With no work to wait for (<c>WorkTime</c> 0, no simulated failures)
/// the messages that claimed their seq are handled as one batch in this loop (no task per message) and completed in
/// one script call; every other message (any message when there is work to wait for, and every message that is
/// dead-lettered) gets a handler task of its own, as before. When the input is empty it blocks on it (on a connection
/// of its own) until a message arrives. On stop it cancels the work and returns whatever is still in flight to the
/// input.
/// <para>
/// A message in its own in-flight list that no handler of this process works on (a take whose reply was lost to a
/// dropped connection after Redis had moved the messages, or a handler that failed unexpectedly) is adopted: handled
/// again, after any failed take and every <see cref="ReconcileInterval"/>. A message whose handling fails unexpectedly
/// <c>MaxHandlerFailures</c> times is dead-lettered: nothing is retried for ever.
/// </para>
/// </summary>
public sealed partial class PartitionWorker(
    ProcessorStore store,
    BlockingConnection blocking,
    MessageHandler handler,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<PartitionWorker> logger)
{
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(5);

    // Per message fingerprint: how many handlers of this process work on a message with those bytes (byte-identical
    // copies can be in flight twice), and how many times its handling failed unexpectedly.
    private readonly ConcurrentDictionary<string, int> _handling = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private bool _blockingFailed;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled, then returns this partition's unfinished messages.</summary>
    public async Task RunAsync(SemaphoreSlim slots, SlotShare share, CancellationToken stoppingToken)
    {
        var o = options.Value;
        var running = new ConcurrentDictionary<Task, bool>();
        var reconcileAt = time.GetTimestamp();
        var suspect = true; // messages left in flight by an earlier life of this processor id are adopted at once
        var batching = o.WorkTime == TimeSpan.Zero && o.FailureRate == 0;
        LogStarting(store.ProcessorId, store.Keys.Partition, store.Keys.Partitions, o.MaxInFlight, o.WorkTime.TotalMilliseconds);
        try
        {
            await FirstHeartbeatAsync(o, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var free = 1;
                var limit = share.Limit;
                while (free < limit && slots.Wait(0))
                {
                    free++;
                }

                IReadOnlyList<TakenMessage> taken = [];
                var quarantined = 0;
                try
                {
                    var batch = TakenBatch.Empty;
                    if (suspect || time.GetElapsedTime(reconcileAt) >= ReconcileInterval)
                    {
                        (batch, suspect) = await AdoptOrphansAsync(free).WaitAsync(stoppingToken).ConfigureAwait(false);
                        reconcileAt = time.GetTimestamp();
                    }

                    if (batch.Messages.Count == 0)
                    {
                        batch = await store.TakeAsync(free).WaitAsync(stoppingToken).ConfigureAwait(false);
                    }

                    quarantined = batch.Quarantined;
                    if (batch.Messages.Count > 0)
                    {
                        taken = await store.PrepareAsync(batch.Messages, o.Limits).WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The take may have run in Redis with its reply lost, or the claim failed after the take: the
                    // messages are in this processor's in-flight list without a handler. Adopt them before the next take.
                    suspect = true;
                    slots.Release(free);
                    LogTakeFailed(ex.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (taken.Count < free)
                {
                    slots.Release(free - taken.Count);
                }

                List<TakenMessage>? inline = null;
                for (var i = 0; i < taken.Count; i++)
                {
                    var message = taken[i];
                    if (batching && i >= quarantined && message.Claim == SeqClaim.Claimed && message.Parsed.IsValid)
                    {
                        (inline ??= new List<TakenMessage>(taken.Count)).Add(message);
                        continue;
                    }

                    _handling.AddOrUpdate(message.Fingerprint, 1, (_, n) => n + 1);
                    var task = RunAsync(message, quarantine: i < quarantined, slots, stoppingToken);
                    running[task] = true;
                    _ = task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                if (inline is not null)
                {
                    // Handled here before the next take or reconciliation, so none of these can look like an orphan.
                    await RunBatchAsync(inline, slots, stoppingToken).ConfigureAwait(false);
                }

                if (taken.Count == 0)
                {
                    share.Idle();
                    try
                    {
                        await WaitForInputAsync(o, stoppingToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        share.Busy();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Let the cancelled handlers finish (they stop at their next await), then give back what is left.
        await Task.WhenAll(running.Keys).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        try
        {
            var returned = await store.ReturnOwnAsync().WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            LogStopped(store.ProcessorId, store.Keys.Partition, returned.Messages);
        }
        catch (Exception ex) when (InfrastructureRetry.IsTransient(ex))
        {
            // The heartbeat expires on its own and a live processor's reaper returns the messages.
            LogReturnFailed(ex.Message);
        }
    }

    /// <summary>A processor is alive (its heartbeat exists) before it takes its first message.</summary>
    private async Task FirstHeartbeatAsync(ProcessorOptions o, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await store.HeartbeatAsync(o.HeartbeatTtl).WaitAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (InfrastructureRetry.IsTransient(ex))
            {
                LogTakeFailed(ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(TakenMessage message, bool quarantine, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        metrics.InFlight(1);
        try
        {
            await Task.Yield();
            if (quarantine)
            {
                await handler.QuarantineAsync(message, options.Value.MaxReclaims, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await handler.HandleAsync(message, stoppingToken).ConfigureAwait(false);
            }

            _failures.TryRemove(message.Fingerprint, out _);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Still in the in-flight list: returned to the input on stop.
        }
        catch (Exception ex)
        {
            await FailedAsync(message, ex, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // After the handler's last script: a message it completed is out of the in-flight list by now, and one it
            // left there (an unexpected failure) becomes an orphan the next reconciliation adopts.
            if (_handling.AddOrUpdate(message.Fingerprint, 0, (_, n) => n - 1) <= 0)
            {
                _handling.TryRemove(new KeyValuePair<string, int>(message.Fingerprint, 0));
            }

            metrics.InFlight(-1);
            slots.Release();
        }
    }

    /// <summary>Handles messages that need no wait as one batch (<see cref="MessageHandler.HandleBatchAsync"/>); an
    /// unexpected failure of the batch counts against each of its messages.</summary>
    private async Task RunBatchAsync(List<TakenMessage> batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        metrics.InFlight(batch.Count);
        try
        {
            await handler.HandleBatchAsync(batch, stoppingToken).ConfigureAwait(false);
            if (!_failures.IsEmpty)
            {
                batch.ForEach(m => _failures.TryRemove(m.Fingerprint, out _));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Still in the in-flight list: returned to the input on stop.
        }
        catch (Exception ex)
        {
            foreach (var message in batch)
            {
                await FailedAsync(message, ex, stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            metrics.InFlight(-batch.Count);
            slots.Release(batch.Count);
        }
    }

    /// <summary>
    /// The input was empty: block until a message arrives (or <c>IdleWait</c> passes) on the connection kept for
    /// blocking commands, so an idle processor costs nothing. If that connection fails, poll instead.
    /// </summary>
    private async Task WaitForInputAsync(ProcessorOptions o, CancellationToken stoppingToken)
    {
        try
        {
            var database = await blocking.DatabaseAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
            await BlockingReads.WaitForListAsync(database, store.Keys.Input, o.IdleWait).WaitAsync(stoppingToken).ConfigureAwait(false);
            _blockingFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_blockingFailed)
            {
                _blockingFailed = true;
                LogBlockingWaitFailed(ex.Message, o.IdlePollInterval.TotalMilliseconds);
            }

            await Task.Delay(o.IdlePollInterval, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>An unexpected failure: the message stays in flight to be adopted again, up to <c>MaxHandlerFailures</c>
    /// times; then it is dead-lettered.</summary>
    private async Task FailedAsync(TakenMessage message, Exception error, CancellationToken stoppingToken)
    {
        var failures = _failures.AddOrUpdate(message.Fingerprint, 1, (_, n) => n + 1);
        LogHandlerFailed(error, message.Parsed.Seq, failures, options.Value.MaxHandlerFailures);
        if (failures < options.Value.MaxHandlerFailures)
        {
            return;
        }

        try
        {
            await handler.GiveUpAsync(message, error, failures, stoppingToken).ConfigureAwait(false);
            _failures.TryRemove(message.Fingerprint, out _);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogGiveUpFailed(ex, message.Parsed.Seq);
        }
    }

    /// <summary>
    /// The messages in this processor's in-flight list that none of its handlers works on, up to <paramref name="free"/>
    /// of them, and whether more are left. The handlers are counted before the list is read, and only this loop adds
    /// handlers, so a message seen in the list and not counted has no handler: its take's reply was lost, or its
    /// handler gave up on it.
    /// </summary>
    private async Task<(TakenBatch Orphans, bool More)> AdoptOrphansAsync(int free)
    {
        var handling = new Dictionary<string, int>(_handling, StringComparer.Ordinal);
        var orphans = new List<byte[]>();
        foreach (var raw in await store.InFlightAsync().ConfigureAwait(false))
        {
            var fingerprint = MessageFingerprint.Of(raw);
            if (handling.TryGetValue(fingerprint, out var count) && count > 0)
            {
                handling[fingerprint] = count - 1;
                continue;
            }

            orphans.Add(raw);
        }

        if (orphans.Count > 0)
        {
            LogAdopted(orphans.Count);
        }

        return (new TakenBatch([.. orphans.Take(free)], 0), orphans.Count > free);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} starting on partition {Partition} of {Partitions}: {MaxInFlight} in flight, {WorkMs} ms work")]
    private partial void LogStarting(string processorId, int partition, int partitions, int maxInFlight, double workMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Adopting {Count} messages in this processor's in-flight list that no handler works on")]
    private partial void LogAdopted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for input on the blocking connection failed ({Error}); polling every {PollMs} ms until it works again")]
    private partial void LogBlockingWaitFailed(string error, double pollMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking messages failed: {Error}")]
    private partial void LogTakeFailed(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling seq {Seq} failed unexpectedly ({Failures} of at most {MaxFailures}); it stays in flight")]
    private partial void LogHandlerFailed(Exception exception, long? seq, int failures, int maxFailures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter seq {Seq} after its failures; it stays in flight and is tried again")]
    private partial void LogGiveUpFailed(Exception exception, long? seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} stopped on partition {Partition}; returned {Count} unfinished messages to the input")]
    private partial void LogStopped(string processorId, int partition, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not return the in-flight messages on stop ({Error}); a live processor will reclaim them")]
    private partial void LogReturnFailed(string error);
}
