using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;
using StackExchange.Redis;

namespace QueueLab.Processor;

/// <summary>Renews this processor's heartbeat key (SET PX TTL) every <c>HeartbeatInterval</c>, in every partition (each
/// partition's reaper reads its own partition's heartbeats: on a Redis Cluster they are on that partition's shard).</summary>
public sealed partial class HeartbeatService(
    ProcessorLanes lanes,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var lastRenewed = time.GetTimestamp();
        using var timer = new PeriodicTimer(o.HeartbeatInterval, time);
        try
        {
            do
            {
                try
                {
                    await Task.WhenAll(lanes.Lanes.Select(l => l.Store.HeartbeatAsync(o.HeartbeatTtl))).WaitAsync(stoppingToken).ConfigureAwait(false);
                    var gap = time.GetElapsedTime(lastRenewed);
                    if (gap > o.HeartbeatTtl)
                    {
                        metrics.HeartbeatMissed();
                        LogLate(gap.TotalMilliseconds, o.HeartbeatTtl.TotalMilliseconds);
                    }

                    lastRenewed = time.GetTimestamp();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    metrics.HeartbeatMissed();
                    LogFailed(ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat renewed {GapMs} ms after the previous one (TTL {TtlMs} ms): this processor may have been reaped; its results stay exact (duplicates are dropped)")]
    private partial void LogLate(double gapMs, double ttlMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat renewal failed: {Error}")]
    private partial void LogFailed(string error);
}
