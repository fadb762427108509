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
/// </summary>
public sealed partial class ProcessorWorker(
    ProcessorStore store,
    MessageHandler handler,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<ProcessorWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var slots = new SemaphoreSlim(o.MaxInFlight, o.MaxInFlight);
        var running = new ConcurrentDictionary<Task, bool>();
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

                IReadOnlyList<TakenMessage> taken;
                try
                {
                    taken = await store.TakeAsync(free).WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
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
            // Unexpected: the message stays in flight and is returned to the input when this processor stops or dies.
            LogHandlerFailed(ex);
        }
        finally
        {
            metrics.InFlight(-1);
            slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} starting: {MaxInFlight} in flight, {WorkMs} ms work")]
    private partial void LogStarting(string processorId, int maxInFlight, double workMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking messages failed: {Error}")]
    private partial void LogTakeFailed(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message failed unexpectedly; it stays in flight")]
    private partial void LogHandlerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} stopped; returned {Count} unfinished messages to the input")]
    private partial void LogStopped(string processorId, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not return the in-flight messages on stop ({Error}); a live processor will reclaim them")]
    private partial void LogReturnFailed(string error);
}
