using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

/// <summary>
/// Deterministic runs on a fake clock: the dispatcher arms its timer, the test jumps the clock, and the runner must measure
/// every invocation from its intended time on the schedule (no coordinated omission) and count the late ones.
/// </summary>
public sealed class FakeClockRunnerTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Seen(long Number, TimeSpan Intended, TimeSpan Actual, TimeSpan Lateness, DateTimeOffset IntendedStartTime);

    private static async Task<(RunResult Result, List<Seen> Seen)> RunStalledDispatcherAsync(LatePolicy policy)
    {
        var clock = new FakeTimeProvider(Epoch);
        var seen = new ConcurrentBag<Seen>();
        var firstWait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scenario = Scenario.Create("stalled", (context, _) =>
        {
            seen.Add(new Seen(context.InvocationNumber, context.IntendedOffset, context.ActualOffset, context.Lateness, context.IntendedStartTime));
            return StepResult.OkTask();
        }).WithLoadSimulations(Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        var run = ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            TimeProvider = clock,
            LatenessTolerance = TimeSpan.FromMilliseconds(250),
            LatePolicy = policy,
            DispatchOnThreadPool = false,
            Progress = ProgressMode.None,
            ReportingInterval = TimeSpan.FromSeconds(10),
            OnDispatcherWaiting = _ => firstWait.TrySetResult(),
        }, TestContext.Current.CancellationToken);

        // The first arrival (t = 0) ran; the dispatcher now waits for t = 100 ms. Stall it: the clock jumps to t = 1 s,
        // as if the runner's process had been paused.
        await firstWait.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(1));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return (result, [.. seen.OrderBy(s => s.Number)]);
    }

    [Fact]
    public async Task A_stalled_dispatcher_measures_latency_from_intended_times_and_counts_late_starts()
    {
        var (result, seen) = await RunStalledDispatcherAsync(LatePolicy.SendAnyway);

        result.Ok.ShouldBe(10);
        result.Failed.ShouldBe(0);
        result.Dropped.ShouldBe(0);
        seen.Select(s => s.Intended).ShouldBe([.. Enumerable.Range(0, 10).Select(k => TimeSpan.FromMilliseconds(100 * k))]);
        seen[0].Actual.ShouldBe(TimeSpan.Zero);
        seen.Skip(1).ShouldAllBe(s => s.Actual == TimeSpan.FromSeconds(1));
        seen[3].IntendedStartTime.ShouldBe(Epoch + TimeSpan.FromMilliseconds(300));
        seen[3].Lateness.ShouldBe(TimeSpan.FromMilliseconds(700));

        // Lateness 900, 800, ..., 300 ms exceeds the 250 ms tolerance: 7 late starts (invocations 1..7).
        result.Late.ShouldBe(7);

        // Each instant invocation completed at t = 1 s, so its latency is 1 s minus its intended time: 0, 900, 800, ..., 100 ms.
        // A runner measuring from its own (late) start would report about zero for all of them.
        result.Latency.Count.ShouldBe(10);
        result.Latency.Max.TotalMilliseconds.ShouldBe(900, 1);
        result.Latency.P50.TotalMilliseconds.ShouldBe(400, 1);
        result.Latency.Min.TotalMilliseconds.ShouldBeLessThan(0.01);
        result.Latency.Mean.TotalMilliseconds.ShouldBe(450, 1);
        result.StartLateness.Max.TotalMilliseconds.ShouldBe(900, 1);
        result.Duration.ShouldBe(TimeSpan.FromSeconds(1));
        result.ThroughputPerSecond.ShouldBe(10, 0.001);
    }

    [Fact]
    public async Task Under_the_drop_policy_late_invocations_are_dropped_with_a_reason_never_silently_skipped()
    {
        var (result, seen) = await RunStalledDispatcherAsync(LatePolicy.Drop);

        seen.Count.ShouldBe(3); // t = 0 on time, t = 800 and 900 ms within the 250 ms tolerance
        result.Ok.ShouldBe(3);
        result.Dropped.ShouldBe(7);
        result.Late.ShouldBe(7);
        result.Requested.ShouldBe(10);
        result.DropReasons.ShouldHaveSingleItem().Key.ShouldContain("late");
        result.DropReasons.Single().Value.ShouldBe(7);
        result.Metrics[RunMetrics.Dropped].ShouldBe(7);
    }

    [Fact]
    public async Task Time_series_points_cover_the_run_and_add_up_to_the_totals()
    {
        var clock = new FakeTimeProvider(Epoch);
        var waits = 0;
        var scenario = Scenario.Create("series", (_, _) => StepResult.OkTask())
            .WithLoadSimulations(Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        var run = ScenarioRunner.RunAsync(scenario, new RunOptions
        {
            TimeProvider = clock,
            DispatchOnThreadPool = false,
            Progress = ProgressMode.None,
            ReportingInterval = TimeSpan.FromSeconds(1),
            OnDispatcherWaiting = _ => Interlocked.Increment(ref waits),
        }, TestContext.Current.CancellationToken);

        // Step the clock 50 ms at a time until the run ends (each step lets the dispatcher and the ticker catch up).
        for (var i = 0; i < 200 && !run.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        result.Ok.ShouldBe(30);
        waits.ShouldBeGreaterThan(0);
        result.TimeSeries.Count.ShouldBeGreaterThanOrEqualTo(3);
        result.TimeSeries.Sum(p => p.Ok).ShouldBe(30);
        result.TimeSeries[0].Start.ShouldBe(TimeSpan.Zero);
        result.TimeSeries.Zip(result.TimeSeries.Skip(1), (a, b) => a.End == b.Start).ShouldAllBe(contiguous => contiguous);
    }
}
