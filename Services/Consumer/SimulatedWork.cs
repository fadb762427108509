using Microsoft.Extensions.Options;
using QueueLab.Concurrency;
using QueueLab.Rabbit;

namespace QueueLab.Consumer;

/// <summary>
/// The lab's stand-in for real work: waits at least <see cref="ConsumerOptions.ProcessingTime"/> by the precise clock, and fails while the
/// message's <see cref="MessageBody.FailTimes"/> is above its retry count.
/// </summary>
public sealed class SimulatedWork(IOptions<ConsumerOptions> options, TimeProvider time)
{
    public async Task RunAsync(LabMessage message, CancellationToken cancellationToken)
    {
        if (options.Value.ProcessingTime > TimeSpan.Zero)
        {
            await PreciseDelay.DelayAsync(time, options.Value.ProcessingTime, cancellationToken);
        }

        if (message.Body.FailTimes > message.RetryCount)
        {
            throw new ProcessingFailedException(
                $"Simulated failure {message.RetryCount + 1} of {message.Body.FailTimes} for {message.MessageId}.");
        }
    }
}
