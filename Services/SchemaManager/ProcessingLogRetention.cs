using Microsoft.Extensions.Options;
using Npgsql;
using QueueLab.Rabbit;

namespace QueueLab.SchemaManager;

/// <summary>
/// Keeps pipeline A's processing log bounded: every <c>RetentionInterval</c>, deletes the rows older than
/// <c>ProcessingLogRetention</c>, a batch per statement, until none is left (the final states are the system of record
/// and stay; the log explains them for as long as it keeps them). It starts once the schema is in place.
/// </summary>
public sealed partial class ProcessingLogRetention(
    NpgsqlDataSource dataSource, SchemaInitializer schema, IOptions<SchemaManagerOptions> options, TimeProvider time,
    ILogger<ProcessingLogRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.ProcessingLogRetention <= TimeSpan.Zero)
        {
            return;
        }

        await (schema.ExecuteTask ?? Task.CompletedTask).WaitAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(o.RetentionInterval, time);
        try
        {
            do
            {
                try
                {
                    var deleted = await TrimAsync(o, stoppingToken).ConfigureAwait(false);
                    if (deleted > 0)
                    {
                        LogTrimmed(logger, deleted, o.ProcessingLogRetention);
                    }
                }
                catch (NpgsqlException ex)
                {
                    LogFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes the rows older than the retention; returns how many.</summary>
    public async Task<long> TrimAsync(SchemaManagerOptions o, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(o);
        var cutoff = time.GetUtcNow() - o.ProcessingLogRetention;
        long total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                $"DELETE FROM {LabTables.ProcessingLog} WHERE id IN (SELECT id FROM {LabTables.ProcessingLog} WHERE logged_at < $1 ORDER BY logged_at LIMIT $2)");
            command.Parameters.AddWithValue(cutoff);
            command.Parameters.AddWithValue(o.RetentionBatch);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            total += deleted;
            if (deleted < o.RetentionBatch)
            {
                return total;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processing log: deleted {Rows} rows older than {Retention}")]
    private static partial void LogTrimmed(ILogger logger, long rows, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing log retention failed ({Error}); it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, string error);
}
