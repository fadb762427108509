using Npgsql;
using QueueLab.Messaging;
using QueueLab.Testing;
using RabbitMQ.Client;

namespace QueueLab.LoadTests.Rabbit;

/// <summary>The suites' own connections to pipeline A's broker and database.</summary>
public sealed class RabbitClient : IAsyncDisposable
{
    private RabbitClient(IConnection connection, NpgsqlDataSource database)
    {
        Connection = connection;
        Database = database;
    }

    public IConnection Connection { get; }

    public NpgsqlDataSource Database { get; }

    public static async Task<RabbitClient> ConnectAsync(string messaging, string database)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(messaging), ClientProvidedName = "queuelab-loadtests" }
            .CreateConnectionAsync().ConfigureAwait(false);
        return new RabbitClient(connection, NpgsqlDataSource.Create(database));
    }

    /// <summary>Waits until each default work queue has at least <paramref name="consumers"/> consumers and the tables exist.</summary>
    public async Task WaitReadyAsync(int consumers, TimeSpan timeout)
    {
        foreach (var queue in LabTopology.DefaultQueues)
        {
            await Poll.UntilAsync(async () =>
            {
                // A passive declare of a missing queue closes the channel: a fresh channel per attempt.
                await using var channel = await Connection.CreateChannelAsync().ConfigureAwait(false);
                return (await channel.QueueDeclarePassiveAsync(queue.Name).ConfigureAwait(false)).ConsumerCount >= consumers;
            }, timeout, $"{consumers} consumers consume {queue.Name}").ConfigureAwait(false);
        }

        await Poll.UntilAsync(async () =>
        {
            await using var command = Database.CreateCommand($"SELECT to_regclass('{LabTables.ProcessingLog}') IS NOT NULL AND to_regclass('{LabTables.FinalStates}') IS NOT NULL");
            return (bool)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }, timeout, "the schema manager created pipeline A's tables").ConfigureAwait(false);
    }

    /// <summary>Messages ready (not yet delivered) in the default work queues: the backlog.</summary>
    public async Task<long> BacklogAsync()
    {
        await using var channel = await Connection.CreateChannelAsync().ConfigureAwait(false);
        long total = 0;
        foreach (var queue in LabTopology.DefaultQueues)
        {
            total += (await channel.QueueDeclarePassiveAsync(queue.Name).ConfigureAwait(false)).MessageCount;
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync().ConfigureAwait(false);
        await Database.DisposeAsync().ConfigureAwait(false);
    }
}
