using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace QueueLab.Consumer;

/// <summary>Extends the processing keys this consumer holds every third of <see cref="ConsumerOptions.ProcessingKeyTtl"/>.</summary>
public sealed partial class ProcessingKeyRenewal(MessageTracker tracker, IOptions<ConsumerOptions> options, TimeProvider time, ILogger<ProcessingKeyRenewal> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ttl = options.Value.ProcessingKeyTtl;
        using var timer = new PeriodicTimer(ttl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (tracker.Held == 0)
                {
                    continue;
                }

                try
                {
                    await tracker.RenewAsync(ttl, options.Value.ProcessingKeyMaxHold).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Redis is away: the keys keep their last expiry; the next tick tries again.
                    LogRenewFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending the processing keys failed: {Error}")]
    private partial void LogRenewFailed(string error);
}
