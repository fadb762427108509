using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;

namespace QueueLab.Processor;

/// <summary>
/// Every processor runs one: every <c>ReapInterval</c> it returns the in-flight messages of processors whose
/// heartbeat has expired to the head of the input, in one atomic script per partition (two reapers cannot both return them).
/// </summary>
public sealed partial class ReaperService(
    ProcessorLanes lanes,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILogger<ReaperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReapInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var lane in lanes.Lanes)
                {
                    try
                    {
                        var reaped = await lane.Store.ReapDeadAsync(options.Value.MaxReclaims).WaitAsync(stoppingToken).ConfigureAwait(false);
                        if (reaped.Processors > 0)
                        {
                            metrics.Reclaimed(reaped.Messages);
                            LogReaped(reaped.Messages, reaped.Processors, lane.Store.Keys.Partition);
                        }

                        if (reaped.Quarantined > 0)
                        {
                            LogQuarantined(reaped.Quarantined, options.Value.MaxReclaims);
                        }
                    }
                    catch (Exception ex) when (InfrastructureRetry.IsTransient(ex))
                    {
                        LogFailed(ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaimed {Messages} in-flight messages from {Processors} dead processor(s) in partition {Partition}")]
    private partial void LogReaped(long messages, long processors, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quarantined {Count} messages reclaimed more than {MaxReclaims} times; they are dead-lettered")]
    private partial void LogQuarantined(long count, int maxReclaims);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reaping failed: {Error}")]
    private partial void LogFailed(string error);
}
