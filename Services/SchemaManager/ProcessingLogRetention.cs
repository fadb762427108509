using Microsoft.Extensions.Options;
using Npgsql;
using QueueLab.Rabbit;

namespace QueueLab.SchemaManager;

/// <summary>
/// Keeps pipeline A's processing log bounded: every <c>RetentionInterval</c>, deletes the log of the units (message,
/// state, queue) that are wholly older than <c>ProcessingLogRetention</c>, every row of a unit together, a batch per
/// statement, until none is left. The final states are the system of record and stay; the log explains them for as long
/// as it keeps them. A unit goes only when its newest row and its final state are both older than the cutoff, so the log
/// never keeps half of a unit, and the cutoff is recorded first (<see cref="LabTables.Retention"/>): a check knows that a
/// final state stored before it may have lost its log, and that every later one has all of its log. It starts once the
/// schema is in place.
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

    /// <summary>Records the cutoff, then deletes the log of every unit wholly older than it; returns how many rows.</summary>
    public async Task<long> TrimAsync(SchemaManagerOptions o, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(o);
        var cutoff = time.GetUtcNow() - o.ProcessingLogRetention;
        await using (var mark = dataSource.CreateCommand(MarkSql))
        {
            mark.Parameters.AddWithValue(LabTables.ProcessingLogRetention);
            mark.Parameters.AddWithValue(cutoff);
            await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(TrimSql);
            command.Parameters.AddWithValue(cutoff);
            command.Parameters.AddWithValue(o.RetentionBatch);
            var deleted = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            total += deleted;
            // A batch that deleted nothing found only units with a newer row (a delivery again across the cutoff): they
            // go once their newest row is old too.
            if (deleted == 0)
            {
                return total;
            }
        }
    }

    private const string MarkSql = $"""
        INSERT INTO {LabTables.Retention} (name, cutoff) VALUES ($1, $2)
        ON CONFLICT (name) DO UPDATE SET cutoff = greatest({LabTables.Retention}.cutoff, excluded.cutoff)
        """;

    // The oldest rows (by the logged_at index) name the candidate units; a unit goes with all of its rows when none of
    // them and not its final state is at or after the cutoff.
    private const string TrimSql = $"""
        WITH candidates AS (
            SELECT DISTINCT message_id, current_state, queue_name
            FROM (SELECT message_id, current_state, queue_name FROM {LabTables.ProcessingLog} WHERE logged_at < $1 ORDER BY logged_at LIMIT $2) oldest),
        doomed AS (
            SELECT c.* FROM candidates c
            WHERE NOT EXISTS (SELECT 1 FROM {LabTables.ProcessingLog} l
                              WHERE l.message_id = c.message_id AND l.current_state = c.current_state AND l.queue_name = c.queue_name AND l.logged_at >= $1)
              AND NOT EXISTS (SELECT 1 FROM {LabTables.FinalStates} f
                              WHERE f.message_id = c.message_id AND f.current_state = c.current_state AND f.queue_name = c.queue_name AND f.stored_at >= $1)),
        deleted AS (
            DELETE FROM {LabTables.ProcessingLog} l USING doomed d
            WHERE l.message_id = d.message_id AND l.current_state = d.current_state AND l.queue_name = d.queue_name
            RETURNING 1)
        SELECT count(*) FROM deleted
        """;

    [LoggerMessage(Level = LogLevel.Information, Message = "Processing log: deleted {Rows} rows older than {Retention}")]
    private static partial void LogTrimmed(ILogger logger, long rows, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing log retention failed ({Error}); it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, string error);
}
