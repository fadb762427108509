using Npgsql;

namespace QueueLab.SchemaManager;

/// <summary>Creates the schema once at start (retrying until PostgreSQL answers); the health check follows its task.</summary>
public sealed partial class SchemaInitializer(NpgsqlDataSource dataSource, TimeProvider time, ILogger<SchemaInitializer> logger)
    : BackgroundService
{
    /// <summary>Serializes concurrent schema managers (two labs never share a database, but replicas might).</summary>
    private const long AdvisoryLockKey = 0x5155_4555_4C41_42;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using var transaction = await connection.BeginTransactionAsync(stoppingToken);
                await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, transaction))
                {
                    await lockCommand.ExecuteNonQueryAsync(stoppingToken);
                }

                await using (var command = new NpgsqlCommand(LabSchema.Sql, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                await transaction.CommitAsync(stoppingToken);
                LogCreated(logger);
                return;
            }
            catch (NpgsqlException ex) when (attempt < 30)
            {
                LogRetrying(logger, attempt, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The pipeline A schema is in place")]
    private static partial void LogCreated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the schema failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, Exception exception);
}
