using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QueueLab.Consumer;

/// <summary>
/// Reads how many messages are ready in each queue this consumer consumes (a passive declare per queue, on a channel
/// of its own so that a failed read never closes a channel deliveries arrive on), every
/// <see cref="ConsumerOptions.QueueDepthInterval"/>, for the <c>queuelab.consumer.queue.depth</c> gauge.
/// </summary>
public sealed partial class QueueDepthMonitor(
    IConnection connection, QueueManager queues, ConsumerTelemetry telemetry, IOptions<ConsumerOptions> options, TimeProvider time,
    ILogger<QueueDepthMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QueueDepthInterval, time);
        IChannel? channel = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var depths = new Dictionary<string, long>(StringComparer.Ordinal);
                try
                {
                    if (channel is not { IsOpen: true })
                    {
                        if (channel is not null)
                        {
                            await channel.DisposeAsync();
                        }

                        channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                    }

                    foreach (var queue in queues.ActiveQueues)
                    {
                        depths[queue] = await channel.MessageCountAsync(queue, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException or TimeoutException)
                {
                    // A queue let go of between the list and the read (404 closes the channel), or the broker is away:
                    // report what was read, and open a fresh channel next time.
                    LogReadFailed(logger, ex.Message);
                }

                telemetry.QueueDepths(depths);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue depths not read: {Error}")]
    private static partial void LogReadFailed(ILogger logger, string error);
}
