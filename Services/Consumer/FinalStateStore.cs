using Microsoft.Extensions.Options;
using Npgsql;
using QueueLab.Messaging;

namespace QueueLab.Consumer;

/// <summary>
/// The final-state table (primary key message id + current state + queue, <c>INSERT ... ON CONFLICT DO NOTHING</c>)
/// and the processing log, appended on every handling in every phase.
/// </summary>
public sealed class FinalStateStore(NpgsqlDataSource dataSource, IOptions<ConsumerOptions> options)
{
    private const string StoreSql = $"""
        WITH stored AS (
            INSERT INTO {LabTables.FinalStates} (message_id, current_state, queue_name, next_state, consumer_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING
            RETURNING 1)
        INSERT INTO {LabTables.ProcessingLog} (message_id, current_state, queue_name, consumer_id, phase, outcome)
        SELECT $1, $2, $3, $5, $7,
               CASE WHEN EXISTS (SELECT 1 FROM stored) THEN '{ProcessingOutcomes.Processed}' ELSE '{ProcessingOutcomes.ProcessedAgain}' END
        RETURNING outcome
        """;

    private const string ExistsSql = $"SELECT EXISTS (SELECT 1 FROM {LabTables.FinalStates} WHERE message_id = $1 AND current_state = $2 AND queue_name = $3)";

    private const string LogSql = $"""
        INSERT INTO {LabTables.ProcessingLog} (message_id, current_state, queue_name, consumer_id, phase, outcome, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """;

    private readonly ConsumerOptions _options = options.Value;

    /// <summary>Stores the final state and logs the processing in one statement; true if this call stored it.</summary>
    public async Task<bool> StoreAsync(FinalState state, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(StoreSql);
        command.Parameters.AddWithValue(state.MessageId);
        command.Parameters.AddWithValue(state.CurrentState);
        command.Parameters.AddWithValue(state.Queue);
        command.Parameters.AddWithValue(state.NextState);
        command.Parameters.AddWithValue(_options.ConsumerId);
        command.Parameters.AddWithValue(state.CreatedAt is { } created ? created : DBNull.Value);
        command.Parameters.AddWithValue((short)_options.Phase);
        var outcome = (string?)await command.ExecuteScalarAsync(cancellationToken);
        return outcome == ProcessingOutcomes.Processed;
    }

    public async Task<bool> ExistsAsync(string queue, string messageId, string currentState, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ExistsSql);
        command.Parameters.AddWithValue(messageId);
        command.Parameters.AddWithValue(currentState);
        command.Parameters.AddWithValue(queue);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task LogAsync(string queue, string? messageId, string? currentState, string outcome, string? detail, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(LogSql);
        command.Parameters.AddWithValue(messageId ?? "");
        command.Parameters.AddWithValue(currentState ?? "");
        command.Parameters.AddWithValue(queue);
        command.Parameters.AddWithValue(_options.ConsumerId);
        command.Parameters.AddWithValue((short)_options.Phase);
        command.Parameters.AddWithValue(outcome);
        command.Parameters.AddWithValue(detail is null ? DBNull.Value : detail);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
