using System.Net.Sockets;
using Npgsql;
using QueueLab.Coordination;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace QueueLab.AppHost.Infrastructure;

/// <summary>
/// Protocol-level checks that a server really answers: a Redis PING with the password, an AMQP connection and
/// channel, a PostgreSQL <c>SELECT 1</c>, etcd's <c>/health</c> and an authenticated read. A bare TCP connect is not enough: a proxy in
/// front of a port accepts before the server behind it is up.
/// </summary>
public static class ServerProbes
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    public static async Task RedisAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        options.ConnectRetry = 0;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        await connection.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A Redis Sentinel answers its own PING (with the password; a Sentinel has its own command set).</summary>
    public static async Task SentinelAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = Local.LocalRedisSentinelExtensions.SentinelOptions(connectionString);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        await connection.GetServer(options.EndPoints[0]).PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task RabbitMQAsync(string connectionString, CancellationToken cancellationToken)
    {
        var factory = QueueLab.Rabbit.RabbitConnections.Factory(connectionString, "queuelab-apphost-health");
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(3);
        factory.AutomaticRecoveryEnabled = false;
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static async Task PostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>etcd's <c>/health</c> (a leader, no alarm), then a read with the lab's credentials, which turns
    /// authentication on the first time (<see cref="EtcdAuthentication"/>).</summary>
    public static async Task EtcdAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = EtcdConnection.Parse(connectionString);
        // A cluster serves while a majority of its members does (each member's own resource shows its health). The members
        // are asked at once, and one that does not answer in time counts as down, not as the whole cluster's failure.
        var answers = await Task.WhenAll(connection.Endpoints.Select(async endpoint =>
        {
            try
            {
                var body = await Http.GetStringAsync(new Uri(endpoint, "/health"), cancellationToken).ConfigureAwait(false);
                return body.Contains("\"health\":\"true\"", StringComparison.Ordinal) ? "ok" : $"{endpoint.Authority} reports {body}";
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return $"{endpoint.Authority}: {ex.Message}";
            }
        })).ConfigureAwait(false);

        if (answers.Count(a => a == "ok") * 2 <= answers.Length)
        {
            throw new InvalidOperationException($"etcd has no healthy majority: {string.Join("; ", answers.Where(a => a != "ok"))}");
        }

        await EtcdAuthentication.EnsureOnAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public static async Task TcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
    }
}
