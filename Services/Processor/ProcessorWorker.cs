using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Processor;

/// <summary>
/// Keeps up to <c>MaxInFlight</c> messages in process: whenever slots are free it moves that many messages from
/// the input into this processor's in-flight list in one script call and hands each to the
/// <see cref="MessageHandler"/>. On stop it cancels the work and returns whatever is still in flight to the input.
/// A message in its own in-flight list that no handler of this process works on (a take whose reply was lost to a
/// dropped connection after Redis had moved the messages, or a handler that failed unexpectedly) is adopted: handled
/// again, after any failed take and every <see cref="ReconcileInterval"/>. Without that it would stay there for as
/// long as this processor lives, and the sequencer would wait for its seq for good.
/// </summary>
public sealed partial class ProcessorWorker(
    ProcessorStore store,
    MessageHandler handler,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<ProcessorWorker> logger) : BackgroundService
{
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(5);

    // How many copies of each raw message this process's handlers work on (byte-identical copies can be in flight twice).
    private readonly ConcurrentDictionary<string, int> _handling = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var slots = new SemaphoreSlim(o.MaxInFlight, o.MaxInFlight);
        var running = new ConcurrentDictionary<Task, bool>();
        var reconcileAt = time.GetTimestamp();
        var suspect = true; // messages left in flight by an earlier life of this processor id are adopted at once
        LogStarting(store.ProcessorId, o.MaxInFlight, o.WorkTime.TotalMilliseconds);
        try
        {
            await FirstHeartbeatAsync(o, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var free = 1;
                while (free < o.MaxInFlight && slots.Wait(0))
                {
                    free++;
                }

                IReadOnlyList<TakenMessage> taken = [];
                try
                {
                    if (suspect || time.GetElapsedTime(reconcileAt) >= ReconcileInterval)
                    {
                        (taken, suspect) = await AdoptOrphansAsync(free).WaitAsync(stoppingToken).ConfigureAwait(false);
                        reconcileAt = time.GetTimestamp();
                    }

                    if (taken.Count == 0)
                    {
                        taken = await store.TakeAsync(free).WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // The take may have run in Redis with its reply lost: look for orphans before the next take.
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

                foreach (var message in taken)
                {
                    _handling.AddOrUpdate(message.Raw, 1, (_, n) => n + 1);
                    var task = RunAsync(message, slots, stoppingToken);
                    running[task] = true;
                    _ = task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                if (taken.Count == 0)
                {
                    await Task.Delay(o.IdlePollInterval, time, stoppingToken).ConfigureAwait(false);
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
            LogStopped(store.ProcessorId, returned.Messages);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
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
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogTakeFailed(ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(TakenMessage message, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        metrics.InFlight(1);
        try
        {
            await Task.Yield();
            await handler.HandleAsync(message, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Still in the in-flight list: returned to the input on stop.
        }
        catch (Exception ex)
        {
            // Unexpected: the message stays in flight, and the next reconciliation adopts it again.
            LogHandlerFailed(ex);
        }
        finally
        {
            // After the handler's last script: a message it completed is out of the in-flight list by now, and one it
            // left there (an unexpected failure) becomes an orphan the next reconciliation adopts.
            if (_handling.AddOrUpdate(message.Raw, 0, (_, n) => n - 1) <= 0)
            {
                _handling.TryRemove(new KeyValuePair<string, int>(message.Raw, 0));
            }

            metrics.InFlight(-1);
            slots.Release();
        }
    }

    /// <summary>
    /// The messages in this processor's in-flight list that none of its handlers works on, up to <paramref name="free"/>
    /// of them, and whether more are left. The handlers are counted before the list is read, and only this loop adds
    /// handlers, so a message seen in the list and not counted has no handler: its take's reply was lost, or its
    /// handler gave up on it.
    /// </summary>
    private async Task<(IReadOnlyList<TakenMessage> Orphans, bool More)> AdoptOrphansAsync(int free)
    {
        var handling = new Dictionary<string, int>(_handling, StringComparer.Ordinal);
        var orphans = new List<TakenMessage>();
        foreach (var raw in await store.InFlightAsync().ConfigureAwait(false))
        {
            if (handling.TryGetValue(raw, out var count) && count > 0)
            {
                handling[raw] = count - 1;
                continue;
            }

            orphans.Add(new TakenMessage(raw, SeqClaim.Unknown));
        }

        if (orphans.Count > 0)
        {
            LogAdopted(orphans.Count);
        }

        return ([.. orphans.Take(free)], orphans.Count > free);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} starting: {MaxInFlight} in flight, {WorkMs} ms work")]
    private partial void LogStarting(string processorId, int maxInFlight, double workMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Adopting {Count} messages in this processor's in-flight list that no handler works on")]
    private partial void LogAdopted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking messages failed: {Error}")]
    private partial void LogTakeFailed(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message failed unexpectedly; it stays in flight")]
    private partial void LogHandlerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} stopped; returned {Count} unfinished messages to the input")]
    private partial void LogStopped(string processorId, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not return the in-flight messages on stop ({Error}); a live processor will reclaim them")]
    private partial void LogReturnFailed(string error);
}
