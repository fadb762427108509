using System.Diagnostics;
using QueueLab.LoadSuites.Labs;

namespace QueueLab.LoadSuites.Tests;

/// <summary>The CPU a run used per message, against its raw baseline's, and the profile that measures it.</summary>
public sealed class CpuBudgetTests
{
    private static CpuUsage Profile(params (string, double)[] usage) => new(usage, TimeSpan.FromSeconds(2));

    [Fact]
    public void Predicts_the_ratio_from_cpu_per_message_and_again_with_the_services_free()
    {
        var budget = CpuBudget.Of(
            Profile(("consumer", 1.4), ("messaging", 0.8), ("postgres", 0.6), ("cache", 0.2), (CpuProfile.Runner, 0.5)), 10_000,
            Profile(("messaging", 0.6), (CpuProfile.Runner, 0.3)), 10_000, "consumer")!;

        budget.PipelineMicros.ShouldBe(350, 1e-9);
        budget.BaselineMicros.ShouldBe(90, 1e-9);
        budget.PredictedRatio.ShouldBe(90.0 / 350, 1e-9);
        budget.RatioWithServicesFree.ShouldBe(90.0 / 210, 1e-9, "the servers and the runner are left when the consumer costs nothing");
        budget.Describe(0.288).ShouldBe(
            "pipeline 350 µs per message (consumer 140, messaging 80, postgres 60, cache 20, load runner (this process) 50), raw baseline 90 µs "
            + "(messaging 60, load runner (this process) 30); CPU alone predicts a ratio of 0.257 (measured 0.288), and 0.429 if consumer cost nothing");
    }

    [Fact]
    public void Has_no_budget_for_a_run_that_completed_nothing()
    {
        CpuBudget.Of(Profile(("consumer", 1.0)), 0, Profile(("messaging", 1.0)), 100, "consumer").ShouldBeNull();
        CpuBudget.Of(Profile(("consumer", 1.0)), 100, Profile(("messaging", 1.0)), 0, "consumer").ShouldBeNull();
    }

    [Fact]
    public async Task Counts_what_a_process_used_before_it_was_killed_and_its_replacement_from_its_own_start()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = Burner();
        Process? second = null;
        var pids = new List<int> { first.Id };
        try
        {
            using var profile = CpuProfile.Start(new LabConnections(new Dictionary<string, string>(), startedBySuite: true) { ProcessIds = _ => [.. pids] }, "burner");
            var atStart = QueueLab.Lab.Processes.ProcessTree.CpuSeconds(first.Id); // at least what the profile read at its start
            await Poll.UntilAsync(() => QueueLab.Lab.Processes.ProcessTree.CpuSeconds(first.Id) >= atStart + 0.6, TimeSpan.FromSeconds(30),
                "the first burner used 0.6 s of CPU since the start", cancellationToken: ct);
            var read = profile.Samples;
            await Poll.UntilAsync(() => profile.Samples >= read + 2, TimeSpan.FromSeconds(30), "the profile read the first burner's CPU since", cancellationToken: ct);
            first.Kill();
            await first.WaitForExitAsync(ct);
            second = Burner();
            pids.Clear();
            pids.Add(second.Id);
            await Poll.UntilAsync(() => QueueLab.Lab.Processes.ProcessTree.CpuSeconds(second.Id) >= 0.3, TimeSpan.FromSeconds(30), "the second burner used 0.3 s of CPU", cancellationToken: ct);

            var (usage, _) = profile.Stop();

            var burner = usage.Single(u => u.Resource == "burner").CpuSeconds;
            burner.ShouldBeGreaterThanOrEqualTo(0.9 - 1e-9, "the killed process's CPU until its last reading (0.6 s at least), and its replacement's from its start (0.3 s at least)");
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill();
            }

            second?.Kill();
            second?.Dispose();
        }
    }

    private static Process Burner() =>
        Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!;
}
