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

    public void Dispose() => _services.Dispose();
}
