using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;

namespace QueueLab.Processor;

/// <summary>
/// Runs one <see cref="PartitionWorker"/> per partition, all drawing on the processor's one pool of <c>MaxInFlight</c>
/// slots, each taking at most its fair share of them at once (<see cref="SlotShare"/>): a busy partition cannot starve
/// the others, and an idle one leaves its share to them. Unpartitioned, that is one worker with every slot, as before.
/// </summary>
public sealed class ProcessorWorker(
    ProcessorLanes lanes,
    IOptions<ProcessorOptions> options,
    ProcessorMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var slots = new SemaphoreSlim(o.MaxInFlight, o.MaxInFlight);
        var share = new SlotShare(o.MaxInFlight, lanes.Lanes.Count);
        var workers = lanes.Lanes.Select(lane => new PartitionWorker(lane.Store, lane.Blocking, lane.Handler, options, metrics, time,
            loggers.CreateLogger<PartitionWorker>()).RunAsync(slots, share, stoppingToken)).ToArray();
        return Task.WhenAll(workers).ContinueWith(t =>
        {
            slots.Dispose();
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }
}
