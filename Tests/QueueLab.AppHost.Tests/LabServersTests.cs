using System.Text;
using dotnet_etcd;
using Grpc.Core;
using Npgsql;
using QueueLab.Coordination;
using QueueLab.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.AppHost.Tests;

/// <summary>A real round trip with each server, through the connection string the AppHost hands out.</summary>
[Collection(ServersCollection.Name)]
public sealed class LabServersTests(ServersFixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RabbitMQ_publishes_with_confirm_and_consumes()
    {
        var factory = new ConnectionFactory { Uri = new Uri(await lab.GetConnectionStringAsync(ResourceNames.Messaging)) };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
        var queue = (await channel.QueueDeclareAsync(exclusive: true, cancellationToken: Ct)).QueueName;
        var body = Encoding.UTF8.GetBytes("hello " + Guid.NewGuid());

        // With confirmation tracking on, the publish completes only once the broker has confirmed it.
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true,
            new BasicProperties { Persistent = true }, body, Ct);

        var got = await Poll.ForAsync(() => channel.BasicGetAsync(queue, autoAck: true, Ct), r => r is not null,
            TimeSpan.FromSeconds(10), "the published message can be consumed", cancellationToken: TestContext.Current.CancellationToken);
        got!.Body.ToArray().ShouldBe(body);
    }

    [Fact]
    public async Task RabbitMQ_refuses_the_guest_account()
    {
        var generated = new Uri(await lab.GetConnectionStringAsync(ResourceNames.Messaging));
        generated.UserInfo.ShouldNotStartWith("guest:");
        var guest = new ConnectionFactory { HostName = generated.Host, Port = generated.Port, UserName = "guest", Password = "guest" };
        await Should.ThrowAsync<BrokerUnreachableException>(() => guest.CreateConnectionAsync(Ct));
    }

    [Fact]
    public async Task Redis_sets_and_gets_with_a_password()
    {
        var connectionString = await lab.GetConnectionStringAsync(ResourceNames.Cache);
        connectionString.ShouldContain("password=");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var key = "queuelab:test:" + Guid.NewGuid();
        await redis.GetDatabase().StringSetAsync(key, "value", TimeSpan.FromMinutes(1));
        (await redis.GetDatabase().StringGetAsync(key)).ToString().ShouldBe("value");
    }

    [Fact]
    public async Task Redis_refuses_a_client_without_the_password()
    {
        // The protocol itself, not a client library whose handshake failure can surface as a timeout: a command on a
        // connection that has not authenticated is refused with NOAUTH.
        var endpoint = ConfigurationOptions.Parse(await lab.GetConnectionStringAsync(ResourceNames.Cache)).EndPoints.Single();
        var port = endpoint switch
        {
            System.Net.DnsEndPoint dns => dns.Port,
            System.Net.IPEndPoint ip => ip.Port,
            _ => throw new InvalidOperationException($"unexpected endpoint {endpoint}"),
        };
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, Ct);
        await using var stream = client.GetStream();
        await stream.WriteAsync("GET anything\r\n"u8.ToArray(), Ct);
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer, Ct);
        System.Text.Encoding.ASCII.GetString(buffer, 0, read).ShouldStartWith("-NOAUTH");
    }

    [Fact]
    public async Task PostgreSQL_answers_a_query_on_the_queuelab_database()
    {
        await using var source = NpgsqlDataSource.Create(await lab.GetConnectionStringAsync(ResourceNames.Database));
        await using var command = source.CreateCommand("SELECT current_database(), 6 * 7");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        (await reader.ReadAsync(Ct)).ShouldBeTrue();
        reader.GetString(0).ShouldBe(ResourceNames.Database);
        reader.GetInt32(1).ShouldBe(42);
    }

    [Fact]
    public async Task PostgreSQL_records_when_each_transaction_committed()
    {
        // The load suites time a final state from its commit (pg_xact_commit_timestamp), not from when its row was written.
        var table = $"queuelab_commit_probe_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(await lab.GetConnectionStringAsync(ResourceNames.Database));
        await using (var write = source.CreateCommand($"CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1)"))
        {
            await write.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            await using var read = source.CreateCommand(
                $"SELECT current_setting('track_commit_timestamp'), pg_xact_commit_timestamp(xmin) IS NOT NULL FROM {table}");
            await using var reader = await read.ExecuteReaderAsync(Ct);
            (await reader.ReadAsync(Ct)).ShouldBeTrue();
            reader.GetString(0).ShouldBe("on");
            reader.GetBoolean(1).ShouldBeTrue("the row's transaction has a commit time");
        }
        finally
        {
            await using var drop = source.CreateCommand($"DROP TABLE {table}");
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }

    [Fact]
    public async Task PostgreSQL_refuses_a_wrong_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(await lab.GetConnectionStringAsync(ResourceNames.Database)) { Password = "not-the-password" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var error = await Should.ThrowAsync<PostgresException>(() => connection.OpenAsync(Ct));
        error.SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
    }

    [Fact]
    public async Task Etcd_puts_and_gets_as_root_with_the_generated_password()
    {
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync(ResourceNames.Etcd));
        connection.UserName.ShouldBe("root");
        connection.Password.ShouldNotBeNullOrEmpty();
        using var etcd = connection.CreateClient();
        var key = "/queuelab/test/" + Guid.NewGuid();
        await etcd.PutAsync(key, "value", cancellationToken: Ct);
        (await etcd.GetValAsync(key, cancellationToken: Ct)).ShouldBe("value");
    }

    [Fact]
    public async Task Etcd_refuses_a_client_without_credentials()
    {
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync(ResourceNames.Etcd));
        using var anonymous = new EtcdClient(connection.Address);
        var read = await Should.ThrowAsync<RpcException>(() => anonymous.GetAsync("/queuelab/", cancellationToken: Ct));
        read.Status.Detail.ShouldContain("user name is empty");
        var write = await Should.ThrowAsync<RpcException>(() => anonymous.PutAsync("/queuelab/test/anonymous", "value", cancellationToken: Ct));
        write.Status.Detail.ShouldContain("user name is empty");
    }

    [Fact]
    public async Task Etcd_refuses_a_wrong_root_password()
    {
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync(ResourceNames.Etcd));
        using var wrong = EtcdConnection.Parse($"http://root:not-the-password@{connection.Endpoint.Authority}").CreateClient();
        var error = await Should.ThrowAsync<RpcException>(() => wrong.GetAsync("/queuelab/", cancellationToken: Ct));
        error.Status.Detail.ShouldContain("invalid user ID or password");
    }
}
