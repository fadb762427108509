using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using QueueLab.Ordering.Contracts;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using QueueLab.Processor;
using Shouldly;

namespace QueueLab.Ordering.Tests.Integration;

/// <summary>The processor's per-message logic against the lab's real Redis, under its own key prefix.</summary>
[Collection(OrderingCollection.Name)]
public sealed class MessageHandlerTests(OrderingFixture lab) : IDisposable
{
    private readonly OrderingKeys _keys = new("test:" + Guid.NewGuid().ToString("N")[..12]);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private async Task<(ProcessorStore Store, MessageHandler Handler, TakenMessage Taken)> TakeAsync(string raw, ProcessorOptions options)
    {
        var store = new ProcessorStore(lab.Db, _keys, "p1");
        await lab.Db.ListRightPushAsync(_keys.Input, raw);
        var taken = (await store.PrepareAsync((await store.TakeAsync(1)).Messages, options.Limits)).Single();
        var handler = new MessageHandler(store, new RedisSystemOfRecord(), Microsoft.Extensions.Options.Options.Create(options),
            new ProcessorMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<MessageHandler>.Instance);
        return (store, handler, taken);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_then_dead_lettered_and_its_seq_skipped()
    {
        var options = new ProcessorOptions { WorkTime = TimeSpan.Zero, FailureRate = 1, MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        var (_, handler, taken) = await TakeAsync(OrderingFixture.Message(9), options);

        await handler.HandleAsync(taken, TestContext.Current.CancellationToken);

        var deadLetter = OrderingJson.DeserializeDeadLetter((await lab.Db.ListGetByIndexAsync(_keys.DeadLetter, 0))!);
        deadLetter.Reason.ShouldBe(DeadLetterReasons.ProcessingFailed);
        deadLetter.Detail.ShouldContain("failed 3 attempts");
        deadLetter.Seq.ShouldBe(9);
        deadLetter.Skipped.ShouldBeTrue();
        (await lab.Db.HashGetAsync(_keys.Skipped, 9)).ToString().ShouldBe(DeadLetterReasons.ProcessingFailed);
        var entry = (await lab.Db.StreamRangeAsync(_keys.Results)).Single();
        entry["kind"].ToString().ShouldBe("s");
        (await lab.Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
        (await lab.Db.HashExistsAsync(_keys.Records, 9)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_good_message_is_recorded_published_with_its_timestamps_and_leaves_the_in_flight_list()
    {
        var options = new ProcessorOptions { WorkTime = TimeSpan.FromMilliseconds(20) };
        var (_, handler, taken) = await TakeAsync(OrderingFixture.Message(4, "four"), options);

        await handler.HandleAsync(taken, TestContext.Current.CancellationToken);

        var entry = (await lab.Db.StreamRangeAsync(_keys.Results)).Single();
        entry["kind"].ToString().ShouldBe("r");
        entry["seq"].ToString().ShouldBe("4");
        var body = entry["body"].ToString();
        (await lab.Db.HashGetAsync(_keys.Records, 4)).ToString().ShouldBe(body);
        var result = System.Text.Json.JsonSerializer.Deserialize(body, OrderingJson.Default.ProcessedResult)!;
        result.Payload.ShouldBe("four");
        (result.ProcessedAt - result.ProcessingAt).ShouldBeGreaterThanOrEqualTo(options.WorkTime, "the work lasts at least WorkTime by the precise clock");
        (await lab.Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0);
        (await lab.Db.ListLengthAsync(_keys.DeadLetter)).ShouldBe(0);
    }

    [Fact]
    public async Task A_batch_with_no_work_to_wait_for_is_completed_in_one_go_and_a_second_copy_in_it_is_dead_lettered_once()
    {
        var options = new ProcessorOptions { WorkTime = TimeSpan.Zero };
        var store = new ProcessorStore(lab.Db, _keys, "p1");
        var copy = OrderingFixture.Message(2, "two");
        await lab.Db.ListRightPushAsync(_keys.Input, [OrderingFixture.Message(1, "one"), copy, copy, OrderingFixture.Message(3, "three")]);
        var taken = await store.PrepareAsync((await store.TakeAsync(10)).Messages, options.Limits);
        taken.ShouldAllBe(t => t.Claim == SeqClaim.Claimed, "identical bytes: both copies claim their seq");
        var handler = new MessageHandler(store, new RedisSystemOfRecord(), Microsoft.Extensions.Options.Options.Create(options),
            new ProcessorMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<MessageHandler>.Instance);

        await handler.HandleBatchAsync(taken, TestContext.Current.CancellationToken);

        var entries = await lab.Db.StreamRangeAsync(_keys.Results);
        entries.Select(e => (long)e["seq"]).ShouldBe([1L, 2L, 3L], "one result per seq, in the batch's order");
        foreach (var entry in entries)
        {
            entry["kind"].ToString().ShouldBe("r");
            var body = entry["body"].ToString();
            (await lab.Db.HashGetAsync(_keys.Records, entry["seq"])).ToString().ShouldBe(body);
            var result = System.Text.Json.JsonSerializer.Deserialize(body, OrderingJson.Default.ProcessedResult)!;
            result.Processor.ShouldBe("p1");
            result.Attempts.ShouldBe(1);
            result.Payload.ShouldBe(result.Seq switch { 1 => "one", 2 => "two", _ => "three" });
            body.ShouldBe(OrderingJson.Serialize(result), "the batch writes the serializer's exact bytes");
        }

        var deadLetter = OrderingJson.DeserializeDeadLetter((await lab.Db.ListGetByIndexAsync(_keys.DeadLetter, 0))!);
        deadLetter.Reason.ShouldBe(DeadLetterReasons.DuplicateSeq);
        deadLetter.Seq.ShouldBe(2);
        deadLetter.Skipped.ShouldBeFalse();
        (await lab.Db.ListLengthAsync(_keys.DeadLetter)).ShouldBe(1);
        (await lab.Db.ListLengthAsync(_keys.InFlight("p1"))).ShouldBe(0, "every message of the batch left the in-flight list once");
    }

    public void Dispose() => _services.Dispose();
}
