using QueueLab.Rabbit;

namespace QueueLab.SchemaManager;

/// <summary>Pipeline A's schema; every statement is idempotent so the manager can run at every start.</summary>
public static class LabSchema
{
    public const string Sql = $"""
        CREATE TABLE IF NOT EXISTS {LabTables.FinalStates} (
            message_id    text        NOT NULL,
            current_state text        NOT NULL,
            queue_name    text        NOT NULL,
            next_state    text        NOT NULL,
            consumer_id   text        NOT NULL,
            created_at    timestamptz NULL,
            stored_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (message_id, current_state, queue_name)
        );
        CREATE TABLE IF NOT EXISTS {LabTables.ProcessingLog} (
            id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_id    text        NOT NULL,
            current_state text        NOT NULL,
            queue_name    text        NOT NULL,
            consumer_id   text        NOT NULL,
            phase         smallint    NOT NULL,
            outcome       text        NOT NULL,
            detail        text        NULL,
            logged_at     timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX IF NOT EXISTS {LabTables.ProcessingLog}_message_idx ON {LabTables.ProcessingLog} (message_id, current_state);
        CREATE INDEX IF NOT EXISTS {LabTables.ProcessingLog}_logged_idx ON {LabTables.ProcessingLog} (logged_at);
        CREATE TABLE IF NOT EXISTS {LabTables.Retention} (
            name          text        PRIMARY KEY,
            cutoff        timestamptz NOT NULL
        );
        """;
}
