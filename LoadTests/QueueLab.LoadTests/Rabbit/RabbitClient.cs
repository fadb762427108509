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

    /// <summary>
    /// Waits until each default work queue has at least <paramref name="perQueue"/> consumers, and the queues together
    /// at least <paramref name="total"/> (phase 3 spreads the consumers over the queues by priority), and the tables exist.
    /// </summary>
    public async Task WaitReadyAsync(int perQueue, int total, TimeSpan timeout)
    {
        await Poll.UntilAsync(async () =>
        {
            var counts = new List<long>();
            foreach (var queue in LabTopology.DefaultQueues)
            {
                // A passive declare of a missing queue (phase 3 declares them as consumers are assigned) closes the
                // channel: a fresh channel per queue and attempt.
                try
                {
                    await using var channel = await Connection.CreateChannelAsync().ConfigureAwait(false);
                    counts.Add((await channel.QueueDeclarePassiveAsync(queue.Name).ConfigureAwait(false)).ConsumerCount);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    return false;
                }
            }

            return counts.All(c => c >= perQueue) && counts.Sum() >= total;
        }, timeout, $"{perQueue} or more consumers on each default queue, {total} or more in all").ConfigureAwait(false);

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
