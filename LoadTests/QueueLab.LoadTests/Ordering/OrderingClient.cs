using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.LoadTests.Ordering;

/// <summary>The suites' own connection to pipeline B's Redis: readiness, where a run starts, pushing and reading the output.</summary>
public sealed class OrderingClient : IAsyncDisposable
{
    private OrderingClient(ConnectionMultiplexer redis)
    {
        Redis = redis;
        Db = redis.GetDatabase();
    }

    public ConnectionMultiplexer Redis { get; }

    public IDatabase Db { get; }

    public OrderingKeys Keys { get; } = OrderingKeys.Default;

    public static async Task<OrderingClient> ConnectAsync(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        // INFO commandstats (the run's Redis profile) is an admin command for the client library.
        configuration.AllowAdmin = true;
        return new(await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false));
    }

    /// <summary>Healthy is not yet working: waits until <paramref name="processors"/> processors registered and a sequencer leads.</summary>
    public Task WaitReadyAsync(int processors, TimeSpan timeout) =>
        Poll.UntilAsync(async () => await Db.SetLengthAsync(Keys.Processors).ConfigureAwait(false) >= processors
                && await Db.KeyExistsAsync(Keys.SequencerLock).ConfigureAwait(false),
            timeout, $"{processors} processors are registered and a sequencer leads");

    /// <summary>Waits until the pipeline is idle; returns the next seq the sequencer expects and the output's length.</summary>
    public async Task<(long FirstSeq, long OutputStart)> BeginAsync(TimeSpan timeout)
    {
        await Poll.UntilAsync(async () => await Db.ListLengthAsync(Keys.Input).ConfigureAwait(false) == 0
                && await Db.HashLengthAsync(Keys.ReorderBuffer).ConfigureAwait(false) == 0,
            timeout, "pipeline B is idle (input and reorder buffer empty)").ConfigureAwait(false);
        var next = await Db.StringGetAsync(Keys.NextSeq).ConfigureAwait(false);
        return (next.IsNull ? 1 : (long)next, await Db.ListLengthAsync(Keys.Output).ConfigureAwait(false));
    }

    /// <summary>The seqs in the output from <paramref name="start"/> on, in output order.</summary>
    public async Task<IReadOnlyList<long>> OutputSeqsAsync(long start, RedisKey? output = null)
    {
        var key = output ?? Keys.Output;
        var seqs = new List<long>();
        const int Chunk = 10_000;
        for (var from = start; ; from += Chunk)
        {
            var values = await Db.ListRangeAsync(key, from, from + Chunk - 1).ConfigureAwait(false);
            seqs.AddRange(values.Select(v => OrderingJson.DeserializeOutput(v!).Seq));
            if (values.Length < Chunk)
            {
                return seqs;
            }
        }
    }

    public async ValueTask DisposeAsync() => await Redis.DisposeAsync().ConfigureAwait(false);
}
