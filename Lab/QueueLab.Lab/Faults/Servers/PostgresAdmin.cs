using Npgsql;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>PostgreSQL as the fault library drives it: every client backend terminated.</summary>
public static class PostgresAdmin
{
    /// <summary><c>pg_terminate_backend</c> of every other client backend; returns how many were closed.</summary>
    public static async Task<long> DropClientsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Database = "postgres" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity " +
            "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
