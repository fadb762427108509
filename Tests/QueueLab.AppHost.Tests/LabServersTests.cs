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
        var factory = new ConnectionFactory { Uri = new Uri(await lab.GetConnectionStringAsync("messaging")) };
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
        var generated = new Uri(await lab.GetConnectionStringAsync("messaging"));
        generated.UserInfo.ShouldNotStartWith("guest:");
        var guest = new ConnectionFactory { HostName = generated.Host, Port = generated.Port, UserName = "guest", Password = "guest" };
        await Should.ThrowAsync<BrokerUnreachableException>(() => guest.CreateConnectionAsync(Ct));
    }

    [Fact]
    public async Task Redis_sets_and_gets_with_a_password()
    {
        var connectionString = await lab.GetConnectionStringAsync("cache");
        connectionString.ShouldContain("password=");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var key = "queuelab:test:" + Guid.NewGuid();
        await redis.GetDatabase().StringSetAsync(key, "value", TimeSpan.FromMinutes(1));
        (await redis.GetDatabase().StringGetAsync(key)).ToString().ShouldBe("value");
    }

    [Fact]
    public async Task Redis_refuses_a_client_without_the_password()
    {
        var options = ConfigurationOptions.Parse(await lab.GetConnectionStringAsync("cache"));
        options.Password = null;
        options.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var error = await Should.ThrowAsync<Exception>(() => redis.GetDatabase().StringGetAsync("anything"));
        error.ToString().ShouldContain("NOAUTH", Case.Insensitive);
    }

    [Fact]
    public async Task PostgreSQL_answers_a_query_on_the_queuelab_database()
    {
        await using var source = NpgsqlDataSource.Create(await lab.GetConnectionStringAsync("queuelab"));
        await using var command = source.CreateCommand("SELECT current_database(), 6 * 7");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        (await reader.ReadAsync(Ct)).ShouldBeTrue();
        reader.GetString(0).ShouldBe("queuelab");
        reader.GetInt32(1).ShouldBe(42);
    }

    [Fact]
    public async Task PostgreSQL_refuses_a_wrong_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(await lab.GetConnectionStringAsync("queuelab")) { Password = "not-the-password" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var error = await Should.ThrowAsync<PostgresException>(() => connection.OpenAsync(Ct));
        error.SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
    }

    [Fact]
    public async Task Etcd_puts_and_gets_as_root_with_the_generated_password()
    {
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync("etcd"));
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
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync("etcd"));
        using var anonymous = new EtcdClient(connection.Address);
        var read = await Should.ThrowAsync<RpcException>(() => anonymous.GetAsync("/queuelab/", cancellationToken: Ct));
        read.Status.Detail.ShouldContain("user name is empty");
        var write = await Should.ThrowAsync<RpcException>(() => anonymous.PutAsync("/queuelab/test/anonymous", "value", cancellationToken: Ct));
        write.Status.Detail.ShouldContain("user name is empty");
    }

    [Fact]
    public async Task Etcd_refuses_a_wrong_root_password()
    {
        var connection = EtcdConnection.Parse(await lab.GetConnectionStringAsync("etcd"));
        using var wrong = EtcdConnection.Parse($"http://root:not-the-password@{connection.Endpoint.Authority}").CreateClient();
        var error = await Should.ThrowAsync<RpcException>(() => wrong.GetAsync("/queuelab/", cancellationToken: Ct));
        error.Status.Detail.ShouldContain("invalid user ID or password");
    }
}
