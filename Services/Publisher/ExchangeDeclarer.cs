using QueueLab.Rabbit;
using RabbitMQ.Client;

namespace QueueLab.Publisher;

/// <summary>Declares the three exchanges (idempotently) at start; the service is healthy only once they exist.</summary>
public sealed partial class ExchangeDeclarer(IConnection connection, TimeProvider time, ILogger<ExchangeDeclarer> logger) : BackgroundService
{
    public bool Declared { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!Declared)
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                foreach (var (name, type) in LabTopology.Exchanges)
                {
                    await channel.ExchangeDeclareAsync(name, type, durable: true, autoDelete: false, cancellationToken: stoppingToken);
                }

                Declared = true;
                LogDeclared(logger, LabTopology.Exchanges.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Declared {Count} exchanges")]
    private static partial void LogDeclared(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declaring the exchanges failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
