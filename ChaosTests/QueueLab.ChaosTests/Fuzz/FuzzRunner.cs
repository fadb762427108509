using StackExchange.Redis;

namespace QueueLab.ChaosTests.Fuzz;

/// <summary>Pushes one generated run into pipeline B's input and judges what came out against the input contract.</summary>
public static class FuzzRunner
{
    public static async Task<FuzzVerdict> RunAsync(OrderingProbe client, IReadOnlyList<InputTemplate> templates, TimeSpan timeout)
    {
        var (first, outputStart) = await client.BeginAsync(timeout).ConfigureAwait(false);
        var deadLettersBefore = await client.Db.ListLengthAsync(client.Keys.DeadLetter).ConfigureAwait(false);
        var messages = FuzzInput.Materialize(templates, first);
        var count = FuzzInput.SeqCount(templates);
        await client.Db.ListRightPushAsync(client.Keys.Input, [.. messages.Select(m => (RedisValue)m.Raw)]).ConfigureAwait(false);

        // Done when the sequencer has passed every seq of the run and nothing is on its way any more (a duplicate can be
        // dead-lettered after its seq was passed).
        await Poll.UntilAsync(async () => await client.NextSeqAsync().ConfigureAwait(false) >= first + count && await client.IdleAsync().ConfigureAwait(false),
            timeout, $"seqs {first}..{first + count - 1} are passed and nothing is in the input, in flight or buffered",
            TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);

        var output = await client.OutputAsync(outputStart).ConfigureAwait(false);
        var deadLetters = await client.DeadLettersAsync(deadLettersBefore).ConfigureAwait(false);
        return FuzzVerdict.Check(messages, first, count, output, deadLetters);
    }
}
