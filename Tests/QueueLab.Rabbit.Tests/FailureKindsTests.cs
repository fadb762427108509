using System.Net.Sockets;
using Npgsql;
using QueueLab.Consumer;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using StackExchange.Redis;

namespace QueueLab.Rabbit.Tests;

public sealed class FailureKindsTests
{
    private static PostgresException Postgres(string sqlState) => new("test", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData("22021")] // NUL in text: invalid byte sequence for encoding UTF8
    [InlineData("22P05")] // untranslatable character (\u0000 in jsonb)
    [InlineData("22P02")] // invalid text representation
    [InlineData("22001")] // string too long
    [InlineData("22008")] // datetime field overflow
    [InlineData("23514")] // check violation
    [InlineData("23502")] // not null violation
    [InlineData("23503")] // foreign key violation
    [InlineData("54000")] // program limit: index row too large
    public void PostgreSQL_data_and_constraint_errors_are_data_errors(string sqlState) =>
        FailureKinds.Classify(Postgres(sqlState)).ShouldBe(FailureKind.DataError);

    [Fact]
    public void A_unique_violation_is_not_a_data_error_the_final_state_conflict_is_handled_in_sql() =>
        FailureKinds.Classify(Postgres("23505")).ShouldBe(FailureKind.Failure);

    [Theory]
    [InlineData("57P01")] // admin shutdown (pg_terminate_backend, a server stop)
    [InlineData("57P02")] // crash shutdown
    [InlineData("57P03")] // cannot connect now (starting up)
    [InlineData("57014")] // query canceled
    [InlineData("08006")] // connection failure
    [InlineData("53300")] // too many connections
    [InlineData("40001")] // serialization failure
    [InlineData("40P01")] // deadlock
    [InlineData("55P03")] // lock not available
    public void PostgreSQL_errors_that_pass_are_transient(string sqlState) =>
        FailureKinds.Classify(Postgres(sqlState)).ShouldBe(FailureKind.Transient);

    [Theory]
    [InlineData("42P01")] // undefined table
    [InlineData("XX000")] // internal error
    [InlineData("P0001")] // raise exception
    public void Other_PostgreSQL_errors_are_failures_retried_a_bounded_number_of_times(string sqlState) =>
        FailureKinds.Classify(Postgres(sqlState)).ShouldBe(FailureKind.Failure);

    [Fact]
    public void Lost_connections_and_timeouts_of_every_client_are_transient()
    {
        FailureKinds.Classify(new NpgsqlException("Exception while reading from stream", new IOException("reset"))).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new NpgsqlException("connect", new SocketException((int)SocketError.ConnectionRefused))).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "closed", null, CommandStatus.Sent)).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new RedisTimeoutException(CommandFlags.None, "timeout", CommandStatus.Sent)).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 320, "CONNECTION_FORCED"))).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new TimeoutException()).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new AggregateException(new SocketException())).ShouldBe(FailureKind.Transient);
    }

    [Fact]
    public void Redis_server_errors_are_sorted_by_their_kind()
    {
        FailureKinds.Classify(new RedisServerException(RedisErrorKind.WrongType, CommandFlags.None, "WRONGTYPE Operation against a key holding the wrong kind of value"))
            .ShouldBe(FailureKind.DataError);
        FailureKinds.Classify(new RedisServerException(RedisErrorKind.Loading, CommandFlags.None, "LOADING")).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new RedisServerException(RedisErrorKind.ReadOnly, CommandFlags.None, "READONLY")).ShouldBe(FailureKind.Transient);
        FailureKinds.Classify(new RedisServerException(RedisErrorKind.UnknownError, CommandFlags.None, "ERR something")).ShouldBe(FailureKind.Failure);
    }

    [Fact]
    public void Failed_work_bugs_and_foreign_cancellations_are_failures_never_retried_for_ever()
    {
        FailureKinds.Classify(new ProcessingFailedException("simulated")).ShouldBe(FailureKind.Failure);
        FailureKinds.Classify(new InvalidOperationException()).ShouldBe(FailureKind.Failure);
        FailureKinds.Classify(new ArgumentOutOfRangeException()).ShouldBe(FailureKind.Failure);
        FailureKinds.Classify(new OperationCanceledException()).ShouldBe(FailureKind.Failure);
        FailureKinds.Classify(new NpgsqlException("not transient")).ShouldBe(FailureKind.Failure);
    }

    [Fact]
    public void A_failure_is_described_by_its_sqlstate_or_its_type()
    {
        FailureKinds.Describe(Postgres("22021")).ShouldBe("PostgreSQL 22021: test");
        FailureKinds.Describe(new InvalidOperationException("boom")).ShouldBe("InvalidOperationException: boom");
        FailureKinds.Describe(new ProcessingFailedException("Simulated failure 1 of 2.")).ShouldBe("Simulated failure 1 of 2.");
    }
}
