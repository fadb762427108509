using System.Diagnostics;
using Npgsql;
using QueueLab.Ordering.Contracts;
using Shouldly;
using StackExchange.Redis;

namespace QueueLab.Ordering.Tests.Integration;

[Collection(PostgresRecordCollection.Name)]
public sealed class PostgresRecordTests(PostgresRecordFixture lab)
{
    [Fact]
    public async Task With_postgres_as_system_of_record_a_burst_is_recorded_once_per_seq_and_comes_out_in_order()
    {
        var keys = OrderingKeys.Default;
        var expected = Enumerable.Range(1, 500).Select(i => (long)i).ToList();
        var ideal = Math.Ceiling(500 / 24.0) * 0.5;

        var clock = Stopwatch.StartNew();
        await lab.Db.ListRightPushAsync(keys.Input, [.. expected.Select(seq => (RedisValue)OrderingFixture.Message(seq))]);
        await Poll.UntilAsync(async () => await lab.Db.ListLengthAsync(keys.Output) >= expected.Count,
            TimeSpan.FromSeconds(60), "the burst is out", TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        var elapsed = clock.Elapsed.TotalSeconds;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"burst 500 x 500 ms on 3 x 8, PostgreSQL system of record: {elapsed:0.00} s, ideal {ideal:0.0} s, efficiency {ideal / elapsed:0.000}");

        var messages = (await lab.Db.ListRangeAsync(keys.Output)).Select(v => OrderingJson.DeserializeOutput(v!)).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(StageReport.Describe(messages));
        messages.Select(m => m.Seq).ShouldBe(expected);
        await using var dataSource = NpgsqlDataSource.Create(await lab.GetConnectionStringAsync(ResourceNames.Database));
        await using var command = dataSource.CreateCommand("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM ordering_records");
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)).ShouldBe((500L, 500L, 1L, 500L));
        (await lab.Db.KeyExistsAsync(keys.Records)).ShouldBeFalse("the Redis record hash is not used in this mode");
    }
}
