using Npgsql;

namespace QueueLab.Processor;

/// <summary>
/// With PostgreSQL as the system of record: creates the records table and opens the first connection at start-up,
/// retrying until the database answers, so the first messages of a burst do not wait for either.
/// </summary>
public sealed partial class PostgresWarmupService(PostgresSystemOfRecord records, TimeProvider time, ILogger<PostgresWarmupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await records.EnsureReadyAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (NpgsqlException ex)
            {
                LogNotReady(ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not ready for the records table yet: {Error}")]
    private partial void LogNotReady(string error);
}
