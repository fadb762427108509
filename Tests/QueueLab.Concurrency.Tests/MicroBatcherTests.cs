using QueueLab.Concurrency;
using Shouldly;

namespace QueueLab.Concurrency.Tests;

public sealed class MicroBatcherTests
{
    [Fact]
    public async Task A_lone_item_goes_at_once_and_items_arriving_during_a_flush_share_the_next_one()
    {
        var calls = new List<int[]>();
        var firstCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new MicroBatcher<int, string>(async batch =>
        {
            lock (calls)
            {
                calls.Add([.. batch]);
            }

            if (calls.Count == 1)
            {
                await firstCall.Task;
            }

            return [.. batch.Select(i => $"r{i}")];
        }, maxBatch: 3);

        var first = batcher.SubmitAsync(1);
        var rest = Enumerable.Range(2, 5).Select(batcher.SubmitAsync).ToList();
        calls.Count.ShouldBe(1, "the first item was sent alone, without waiting for company");
        firstCall.SetResult();

        (await first).ShouldBe("r1");
        (await Task.WhenAll(rest)).ShouldBe(["r2", "r3", "r4", "r5", "r6"]);
        calls.ShouldBe([[1], [2, 3, 4], [5, 6]]);
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_callers_and_the_next_batch_still_goes()
    {
        var fail = true;
        var batcher = new MicroBatcher<int, int>(batch =>
            fail ? throw new TimeoutException("redis") : Task.FromResult<IReadOnlyList<int>>([.. batch.Select(i => i * 10)]), maxBatch: 8);

        (await Should.ThrowAsync<TimeoutException>(() => batcher.SubmitAsync(1))).Message.ShouldBe("redis");
        fail = false;
        (await batcher.SubmitAsync(2)).ShouldBe(20);
    }

    [Fact]
    public async Task Many_concurrent_callers_each_get_their_own_result()
    {
        var batcher = new MicroBatcher<int, int>(async batch =>
        {
            await Task.Yield();
            return [.. batch.Select(i => -i)];
        }, maxBatch: 16);

        var results = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(() => batcher.SubmitAsync(i), TestContext.Current.CancellationToken)));

        results.ShouldBe(Enumerable.Range(0, 2_000).Select(i => -i).ToArray());
    }
}
