using QueueLab.LoadSuites.Rabbit;

namespace QueueLab.LoadSuites.Tests;

/// <summary>Short versions of the rabbit suites on pipeline A (phase 2, 3 consumers), next to the raw RabbitMQ baseline.</summary>
[Collection(PipelinesCollection.Name)]
public sealed class RabbitSuiteTests(PipelinesFixture lab)
{
    [Fact]
    public async Task Rabbit_burst_of_300_stores_every_final_state_exactly_once_and_is_compared_with_raw_RabbitMQ()
    {
        var outcome = await SuiteRuns.RunAsync("rabbit-burst", PipelinesFixture.Rabbit with { Messages = 300, Warmup = 60 }, lab.Lab);

        outcome.ShouldBeCorrect();
        outcome.Result.Ok.ShouldBe(300);
        outcome.Metric(RabbitBurstSuite.BaselineThroughput).ShouldBeGreaterThan(0);
        // The target is 0.5 of raw RabbitMQ on 5,000 messages; 300 on a busy machine only has to be in the same league.
        outcome.Metric(RabbitBurstSuite.Ratio).ShouldBeGreaterThan(0.02);
    }

    [Fact]
    public async Task Rabbit_soak_at_a_constant_rate_stores_every_final_state_with_a_bounded_backlog()
    {
        var outcome = await SuiteRuns.RunAsync("rabbit-soak",
            PipelinesFixture.Rabbit with { Rate = 40, Duration = TimeSpan.FromSeconds(8), Warmup = 0, NoBaseline = true }, lab.Lab);

        outcome.ShouldBeCorrect();
        outcome.Result.Ok.ShouldBe(320);
        outcome.Metric("backlog_max").ShouldBeLessThanOrEqualTo(100);
    }
}
