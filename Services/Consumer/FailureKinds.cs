using System.Net.Sockets;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using StackExchange.Redis;

namespace QueueLab.Consumer;

/// <summary>Sorts the exceptions a delivery's handling can meet into the three answers of <see cref="FailureKind"/>.</summary>
public static class FailureKinds
{
    public static FailureKind Classify(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Classify(aggregate.InnerExceptions[0]),
        PostgresException postgres => Classify(postgres),
        NpgsqlException npgsql => npgsql.IsTransient ? FailureKind.Transient : FailureKind.Failure,
        RedisServerException redis => Classify(redis.Kind),
        RedisConnectionException or RedisTimeoutException => FailureKind.Transient,
        // A closed channel or connection, a broker nack (a full queue under reject-publish); a basic.return (no such
        // queue) does not heal by waiting.
        OperationInterruptedException or BrokerUnreachableException or ConnectFailureException => FailureKind.Transient,
        PublishException publish => publish.IsReturn ? FailureKind.Failure : FailureKind.Transient,
        TimeoutException or SocketException or IOException => FailureKind.Transient,
        _ => FailureKind.Failure,
    };

    private static FailureKind Classify(PostgresException postgres) => postgres.SqlState switch
    {
        // The final state's own conflict is ON CONFLICT DO NOTHING; a unique violation that escapes is unexpected.
        "23505" => FailureKind.Failure,
        var state when state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal)
            || state.StartsWith("54", StringComparison.Ordinal) => FailureKind.DataError,
        // Connection exceptions, transaction rollbacks (serialization, deadlock), insufficient resources, operator
        // intervention (admin / crash shutdown, cannot connect now, query canceled), lock not available, object in use.
        var state when postgres.IsTransient || state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("40", StringComparison.Ordinal)
            || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57", StringComparison.Ordinal)
            || state is "55P03" or "55006" => FailureKind.Transient,
        _ => FailureKind.Failure,
    };

    private static FailureKind Classify(RedisErrorKind kind) => kind switch
    {
        RedisErrorKind.WrongType => FailureKind.DataError,
        RedisErrorKind.ConnectionFault or RedisErrorKind.Timeout or RedisErrorKind.Loading or RedisErrorKind.Busy
            or RedisErrorKind.ClusterDown or RedisErrorKind.MasterDown or RedisErrorKind.TryAgain or RedisErrorKind.NoReplicas
            or RedisErrorKind.Misconfigured or RedisErrorKind.OutOfMemory or RedisErrorKind.MaxClients or RedisErrorKind.ReadOnly
            or RedisErrorKind.Moved or RedisErrorKind.Ask or RedisErrorKind.NoAuth or RedisErrorKind.WrongPass
            or RedisErrorKind.NoPermission or RedisErrorKind.NotPermitted => FailureKind.Transient,
        _ => FailureKind.Failure,
    };

    /// <summary>The failure as a dead-letter detail names it: PostgreSQL's SQLSTATE and message, or the exception's type and message.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        PostgresException postgres => $"PostgreSQL {postgres.SqlState}: {postgres.MessageText}",
        ProcessingFailedException failed => failed.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
