using QueueLab.LoadSuites.Ordering;
using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadSuites.Tests;

/// <summary>Short versions of the ordered suites on pipeline B (3 processors x 8 in flight, 100 ms work).</summary>
[Collection(PipelinesCollection.Name)]
public sealed class OrderedSuiteTests(PipelinesFixture lab)
{
    [Fact]
    public async Task Ordered_burst_of_100_comes_out_exactly_once_in_order_near_the_ideal_time()
    {
        var outcome = await SuiteRuns.RunAsync("ordered-burst", PipelinesFixture.Ordering with { Messages = 100 }, lab.Lab);

        outcome.ShouldBeCorrect();
        outcome.Result.Ok.ShouldBe(100);
        outcome.Metric(OrderedBurstSuite.IdealSeconds).ShouldBe(0.5);
        // The efficiency is a figure (target 0.95, measured by the command line on a quiet machine); a test asserts only what
        // holds on any machine: it is measured, and no run beats the ideal (that would be a measurement defect).
        outcome.Metric(OrderedBurstSuite.Efficiency).ShouldBeInRange(0.01, 1.0);
        outcome.Result.Stages.Select(s => s.Name).ShouldBe(
            [OutputWatcher.QueueWait, OutputWatcher.EndToEnd, OutputWatcher.Processing, OutputWatcher.Sequencing], ignoreOrder: true);
        outcome.Result.Stages.Single(s => s.Name == OutputWatcher.Processing).Latency.P50.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(100, "the work lasts its 100 ms by the precise clock");
    }

    [Theory]
    [InlineData(KillTarget.Leader, QueueLab.Lab.ResourceNames.Sequencer)]
    [InlineData(KillTarget.Processor, QueueLab.Lab.ResourceNames.Processor)]
    public async Task A_burst_with_a_kill_comes_out_exactly_once_in_order_and_reports_what_the_kill_cost(KillTarget target, string resource)
    {
        try
        {
            var outcome = await SuiteRuns.RunAsync("ordered-burst",
                PipelinesFixture.Ordering with { Messages = 400, Kill = new KillPlan(target, TimeSpan.FromMilliseconds(400)) }, lab.Lab);

            outcome.ShouldBeCorrect();
            outcome.Result.Ok.ShouldBe(400);
            var kill = outcome.Figures.Single(f => f.Name == "kill").Value;
            kill.ShouldStartWith("kill -9 of ");
            kill.ShouldNotContain("nothing killed");
            outcome.Metric(OrderedRunResult.LongestGapMetric).ShouldBeGreaterThan(0);
            if (target == KillTarget.Leader)
            {
                outcome.Metric(OrderedRunResult.LockMovedMetric).ShouldBeGreaterThan(0, "another sequencer took the lock: the run could not have finished otherwise");
            }

            await Poll.UntilAsync(() => lab.Resources.Replicas(resource).Any(r => !r.IsRunning), TimeSpan.FromSeconds(30),
                $"Aspire shows the killed {resource} replica stopped", cancellationToken: TestContext.Current.CancellationToken);
        }
        finally
        {
            await Poll.UntilAsync(async () =>
            {
                await lab.Faults.Processes.StartStoppedAsync([resource], TestContext.Current.CancellationToken);
                return lab.Resources.Replicas(resource).All(r => r.IsRunning);
            }, TimeSpan.FromSeconds(90), $"every {resource} replica runs again", TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Ordered_soak_at_70_percent_of_capacity_keeps_the_backlog_bounded_and_the_order()
    {
        var outcome = await SuiteRuns.RunAsync("ordered-soak", PipelinesFixture.Ordering with { Duration = TimeSpan.FromSeconds(10) }, lab.Lab);

        outcome.ShouldBeCorrect();
        outcome.Metric("offered_rate").ShouldBe(168);
        outcome.Result.Ok.ShouldBe(1680);
        outcome.Metric(OrderedSoakSuite.BacklogMax).ShouldBeLessThanOrEqualTo(2 * 3 * 8);
        outcome.Attachments.ShouldContainKey("backlog.csv");
    }

    [Fact]
    public async Task A_report_folder_holds_the_runner_files_and_the_suite_figures()
    {
        var outcome = await SuiteRuns.RunAsync("ordered-burst", PipelinesFixture.Ordering with { Messages = 24, Warmup = 0 }, lab.Lab);
        var root = Path.Combine(Path.GetTempPath(), "queuelab-loadtests-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var report = await SuiteReport.WriteAsync(outcome, root, TestContext.Current.CancellationToken);

            File.Exists(report.MainPlotPng).ShouldBeTrue();
            File.Exists(report.SummaryCsv).ShouldBeTrue();
            (await File.ReadAllTextAsync(report.Html, TestContext.Current.CancellationToken)).ShouldContain("Suite figures");
            (await File.ReadAllTextAsync(report.Markdown, TestContext.Current.CancellationToken)).ShouldContain("efficiency (ideal / measured)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
