using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using QueueLab.Processor;
using Shouldly;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>The processor's batch path with PostgreSQL as the system of record, against the lab's real servers.</summary>
[Collection(PostgresRecordCollection.Name)]
public sealed class PostgresBatchTests(PostgresRecordFixture lab) : IDisposable
{
    private readonly OrderingKeys _keys = new("test:" + Guid.NewGuid().ToString("N")[..12]);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task A_batch_is_reserved_recorded_once_per_seq_and_completed_and_a_second_copy_in_it_is_dead_lettered()
    {
        // Seqs far above the pipeline's own, so the shared records table tells this test's rows apart (removed after).
        var first = 8_000_000_000_000_000L + Random.Shared.NextInt64(1_000_000_000);
        var copy = OrderingFixture.Message(first + 1, "two");
        await lab.Db.ListRightPushAsync(_keys.Input, [OrderingFixture.Message(first, "one"), copy, copy, OrderingFixture.Message(first + 2, "three")]);
        var options = new ProcessorOptions { WorkTime = TimeSpan.Zero, SystemOfRecord = SystemOfRecordKind.Postgres };
        var store = new ProcessorStore(lab.Db, _keys, "p1");
        var taken = await store.PrepareAsync((await store.TakeAsync(10)).Messages, options.Limits);
        await using var dataSource = NpgsqlDataSource.Create(await lab.GetConnectionStringAsync("queuelab"));
        await using var records = new PostgresSystemOfRecord(dataSource);
        var handler = new MessageHandler(store, records, Microsoft.Extensions.Options.Options.Create(options),
            new ProcessorMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<MessageHandler>.Instance);
        try
        {
            await handler.HandleBatchAsync(taken, TestContext.Current.CancellationToken);

            var entries = await lab.Db.StreamRangeAsync(_keys.Results);
            entries.Select(e => (long)e["seq"]).ShouldBe([first, first + 1, first + 2]);
            (await lab.Db.KeyExistsAsync(_keys.Records)).ShouldBeFalse("PostgreSQL is the system of record here");
            await using (var command = dataSource.CreateCommand("SELECT seq, body::text FROM ordering_records WHERE seq >= $1 AND seq <= $2 ORDER BY seq"))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first + 2 });
                await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
                var rows = new List<(long Seq, string Payload)>();
                while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                {
                    var body = System.Text.Json.JsonSerializer.Deserialize(reader.GetString(1), OrderingJson.Default.ProcessedResult)!;
                    rows.Add((reader.GetInt64(0), body.Payload));
                }

                rows.ShouldBe([(first, "one"), (first + 1, "two"), (first + 2, "three")], "one record per seq");
            }

            var deadLetter = OrderingJson.DeserializeDeadLetter((await lab.Db.ListGetByIndexAsync(_keys.DeadLetter, 0))!);
            deadLetter.Reason.ShouldBe(DeadLetterReasons.DuplicateSeq);
            deadLetter.Seq.ShouldBe(first + 1);
            (await lab.Db.ListLengthAsync(_keys.DeadLetter)).ShouldBe(1);
            (await lab.Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
            (await lab.Db.HashGetAllAsync(_keys.Claims)).ShouldAllBe(c => c.Value.ToString().EndsWith(":r"));
        }
        finally
        {
            await using var cleanup = dataSource.CreateCommand("DELETE FROM ordering_records WHERE seq >= $1 AND seq <= $2");
            cleanup.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
            cleanup.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first + 2 });
            await cleanup.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public void Dispose() => _services.Dispose();
}
