using QueueLab.LoadSuites.Labs;
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
        // The ratio is measured and reported (its target is the load suites' business, not dotnet test's: a speed bound here
        // failed at random), and it is the pipeline's throughput over the baseline's.
        outcome.Metric(RabbitBurstSuite.Ratio).ShouldBe(
            outcome.Metric(RabbitBurstSuite.EndToEndThroughput) / outcome.Metric(RabbitBurstSuite.BaselineThroughput), 0.001);
        outcome.Metric(CpuBudget.BaselineMetric).ShouldBeGreaterThan(0, "the raw baseline's CPU per message is measured in the same run");
        outcome.Metric(CpuBudget.PredictedMetric).ShouldBeGreaterThan(0);
        outcome.Figures.Single(f => f.Name == "CPU per message against the raw baseline").Value
            .ShouldMatch(@"^pipeline [\d,]+ µs per message \(consumer [\d,]+, messaging [\d,]+.*\), raw baseline [\d,]+ µs \(messaging [\d,]+",
                "both sides' server CPU is read, not the runner's alone");
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
