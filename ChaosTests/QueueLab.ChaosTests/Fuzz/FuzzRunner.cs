using QueueLab.LoadTests.Ordering;
using QueueLab.Ordering.Contracts;
using QueueLab.Testing;
using StackExchange.Redis;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>Pushes one generated run into pipeline B's input and judges what came out against the input contract.</summary>
public static class FuzzRunner
{
    public static async Task<FuzzVerdict> RunAsync(OrderingClient client, IReadOnlyList<InputTemplate> templates, TimeSpan timeout)
    {
        var (first, outputStart) = await client.BeginAsync(timeout).ConfigureAwait(false);
        var deadLettersBefore = await client.Db.ListLengthAsync(client.Keys.DeadLetter).ConfigureAwait(false);
        var messages = FuzzInput.Materialize(templates, first);
        var count = FuzzInput.SeqCount(templates);
        await client.Db.ListRightPushAsync(client.Keys.Input, [.. messages.Select(m => (RedisValue)m.Raw)]).ConfigureAwait(false);

        // Done when the sequencer has passed every seq of the run and nothing is on its way any more (a duplicate can be
        // dead-lettered after its seq was passed).
        await Poll.UntilAsync(async () =>
            {
                var next = await client.Db.StringGetAsync(client.Keys.NextSeq).ConfigureAwait(false);
                return !next.IsNull && (long)next >= first + count && await IdleAsync(client).ConfigureAwait(false);
            }, timeout, $"seqs {first}..{first + count - 1} are passed and nothing is in the input, in flight or buffered",
            TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);

        var output = (await client.Db.ListRangeAsync(client.Keys.Output, outputStart, -1).ConfigureAwait(false))
            .Select(v => OrderingJson.DeserializeOutput(v!)).ToList();
        var deadLetters = (await client.Db.ListRangeAsync(client.Keys.DeadLetter, deadLettersBefore, -1).ConfigureAwait(false))
            .Select(v => OrderingJson.DeserializeDeadLetter(v!)).ToList();
        return FuzzVerdict.Check(messages, first, count, output, deadLetters);
    }

    private static async Task<bool> IdleAsync(OrderingClient client)
    {
        var db = client.Db;
        var keys = client.Keys;
        if (await db.ListLengthAsync(keys.Input).ConfigureAwait(false) > 0 || await db.ListLengthAsync(keys.Quarantine).ConfigureAwait(false) > 0
            || await db.HashLengthAsync(keys.ReorderBuffer).ConfigureAwait(false) > 0)
        {
            return false;
        }

        foreach (var processor in await db.SetMembersAsync(keys.Processors).ConfigureAwait(false))
        {
            if (await db.ListLengthAsync(keys.InFlight(processor!)).ConfigureAwait(false) > 0)
            {
                return false;
            }
        }

        return true;
    }
}
