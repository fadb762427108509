using System.Globalization;
using QueueLab.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Redis;
using QueueLab.Verification;
using StackExchange.Redis;

namespace QueueLab.AppHost.Commands;

/// <summary>What pipeline B holds right now: the invariant check of its whole output, and the work still pending.</summary>
/// <param name="Report">Every seq the sequencer has passed (1 .. next-seq - 1) against the output, in exact order; the
/// skipped (dead-lettered) seqs are expected not to come out.</param>
/// <param name="NextSeq">The next seq the sequencer waits for.</param>
/// <param name="Input">Messages waiting in the input.</param>
/// <param name="InFlight">Messages the processors have taken and not finished.</param>
/// <param name="Buffered">Results in the sequencer's reorder buffer.</param>
/// <param name="DeadLettered">Entries in the dead-letter list.</param>
public sealed record OrderingCheck(VerificationReport<long> Report, long NextSeq, long Input, long InFlight, long Buffered, long DeadLettered)
{
    public bool Idle => Input == 0 && InFlight == 0 && Buffered == 0;

    public string Headline
    {
        get
        {
            var s = Report.Summary;
            var pending = Idle ? "nothing pending" : $"pending: {Input} in the input, {InFlight} in flight, {Buffered} in the reorder buffer";
            if (NextSeq == 1 && s.Observed == 0)
            {
                return $"pipeline B output empty: no seq passed yet ({DeadLettered} dead-lettered); {pending}";
            }

            return Report.Passed
                ? $"pipeline B output exact: {s.Delivered} messages in seq order (seqs 1..{NextSeq - 1}, {s.ExpectedSkipped} skipped, {DeadLettered} dead-lettered); {pending}"
                : $"pipeline B output NOT exact: {s.Lost} lost, {s.Duplicated} duplicated, {s.Reordered} reordered, {s.Unexpected} unexpected of seqs 1..{NextSeq - 1}; {pending}";
        }
    }
}

/// <summary>Reads and resets pipeline B's Redis state for the dashboard's commands (keys from <see cref="OrderingKeys"/>).</summary>
public static class OrderingInspector
{
    private const int Chunk = 10_000;

    public static async Task<ConnectionMultiplexer> ConnectAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.ClientName = "queuelab-apphost-commands";
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    public static async Task<OrderingCheck> CheckAsync(IDatabase db, OrderingKeys keys)
    {
        var nextValue = await db.StringGetAsync(keys.NextSeq).ConfigureAwait(false);
        var next = nextValue.IsNull ? 1 : (long)nextValue;
        var observed = new List<long>();
        for (long from = 0; ; from += Chunk)
        {
            var values = await db.ListRangeAsync(keys.Output, from, from + Chunk - 1).ConfigureAwait(false);
            observed.AddRange(values.Select(v => OrderingJson.DeserializeOutput(v!).Seq));
            if (values.Length < Chunk)
            {
                break;
            }
        }

        var skipped = (await db.HashKeysAsync(keys.Skipped).ConfigureAwait(false))
            .Select(k => long.Parse(k.ToString(), CultureInfo.InvariantCulture)).Where(s => s >= 1 && s < next).ToList();
        var expected = Enumerable.Range(0, (int)Math.Max(0, next - 1)).Select(i => i + 1L);
        var report = InvariantChecker.Check(expected, observed, VerificationOptions.Ordered, skipped);

        var inFlight = 0L;
        foreach (var processor in await db.SetMembersAsync(keys.Processors).ConfigureAwait(false))
        {
            inFlight += await db.ListLengthAsync(keys.InFlight(processor!)).ConfigureAwait(false);
        }

        return new OrderingCheck(report, next,
            await db.ListLengthAsync(keys.Input).ConfigureAwait(false),
            inFlight,
            await db.HashLengthAsync(keys.ReorderBuffer).ConfigureAwait(false),
            await db.ListLengthAsync(keys.DeadLetter).ConfigureAwait(false));
    }

    /// <summary>Clears pipeline B's data in one atomic step (see <see cref="OrderingAdmin.ClearAsync"/>).</summary>
    public static Task<ClearResult> ClearAsync(IDatabase db, OrderingKeys keys) => OrderingAdmin.ClearAsync(db, keys);

    /// <summary>The instance id of the sequencer that holds the lock (its token is <c>{instance}:{random}</c>), or null.</summary>
    public static async Task<string?> LeaderAsync(IDatabase db, OrderingKeys keys)
    {
        var token = await db.StringGetAsync(keys.SequencerLock).ConfigureAwait(false);
        if (token.IsNullOrEmpty)
        {
            return null;
        }

        var text = token.ToString();
        var colon = text.LastIndexOf(':');
        return colon > 0 ? text[..colon] : text;
    }
}
