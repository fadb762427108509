using QueueLab.LoadSuites.Ordering;

namespace QueueLab.LoadSuites.Tests;

/// <summary>The overhead suite, short: work 0 ms, 2,000 messages, against the raw Redis forwarder.</summary>
[Collection(OverheadCollection.Name)]
public sealed class OverheadSuiteTests(OverheadFixture lab)
{
    [Fact]
    public async Task Ordered_overhead_of_2000_keeps_the_order_and_is_compared_with_the_raw_forwarder()
    {
        var outcome = await SuiteRuns.RunAsync("ordered-overhead", OverheadFixture.Options with { Messages = 2000, Warmup = 200 }, lab.Lab);

        outcome.ShouldBeCorrect();
        outcome.Result.Ok.ShouldBe(2000);
        outcome.Metric("baseline_in_order").ShouldBe(1);
        outcome.Metric(OrderedOverheadSuite.BaselineThroughput).ShouldBeGreaterThan(outcome.Metric(OrderedOverheadSuite.EndToEndThroughput));
        // The target is 10,000 msg/s on 20,000 messages from the command line; here only "it flows".
        outcome.Metric(OrderedOverheadSuite.EndToEndThroughput).ShouldBeGreaterThan(200);
        // What holds the ratio back is measured in the same run: Redis's main thread per message, and the cap it sets.
        outcome.Metric(OrderedOverheadSuite.RedisMainThreadMetric).ShouldBeGreaterThan(0);
        outcome.Metric(OrderedOverheadSuite.RedisCapRatioMetric).ShouldBe(
            1e6 / outcome.Metric(OrderedOverheadSuite.RedisMainThreadMetric) / outcome.Metric(OrderedOverheadSuite.BaselineThroughput), 0.01);
    }
}
