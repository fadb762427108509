using Microsoft.Extensions.Options;
using QueueLab.Messaging;

namespace QueueLab.Consumer;

/// <summary>
/// The lab's stand-in for real work: waits <see cref="ConsumerOptions.ProcessingTime"/>, and fails while the
/// message's <see cref="MessageBody.FailTimes"/> is above its retry count.
/// </summary>
public sealed class SimulatedWork(IOptions<ConsumerOptions> options, TimeProvider time)
{
    public async Task RunAsync(LabMessage message, CancellationToken cancellationToken)
    {
        if (options.Value.ProcessingTime > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.ProcessingTime, time, cancellationToken);
        }

        if (message.Body.FailTimes > message.RetryCount)
        {
            throw new ProcessingFailedException(
                $"Simulated failure {message.RetryCount + 1} of {message.Body.FailTimes} for {message.MessageId}.");
        }
    }
}
