using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

/// <summary>Short runs on the real clock (each well under a second), with generous tolerances.</summary>
public sealed class RunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RunOptions Quiet => new() { Progress = ProgressMode.None, ReportingInterval = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public async Task A_slow_system_under_an_open_model_shows_growing_latency_from_intended_times()
    {
        // A single-server system that takes 40 ms per request, offered one request every 20 ms: a queue builds up.
        // The open model keeps sending on schedule; each request's latency counts its wait in the queue, so it grows.
        var stages = new StageRecorder();
        var server = Channel.CreateUnbounded<TaskCompletionSource<DateTimeOffset>>();
        var serverLoop = Task.Run(async () =>
        {
            await foreach (var request in server.Reader.ReadAllAsync(Ct))
            {
                var started = Stopwatch.GetTimestamp();
                await Task.Delay(40, Ct);
                stages.Record("service", Stopwatch.GetElapsedTime(started)); // what a closed-loop client would see
                request.SetResult(DateTimeOffset.UtcNow);
            }
        }, Ct);
        var measured = new ConcurrentDictionary<long, TimeSpan>();
        var scenario = Scenario.Create("slow-system", async (context, token) =>
        {
            var done = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            server.Writer.TryWrite(done);
            var servedAt = await done.Task.WaitAsync(token);
            measured[context.InvocationNumber] = servedAt - context.IntendedStartTime;
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300)));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            DispatchOnThreadPool = false, // requests reach the server in schedule order
            Stages = stages,
            LatenessTolerance = TimeSpan.FromSeconds(2),
        }, Ct);
        server.Writer.Complete();
        await serverLoop;

        result.Ok.ShouldBe(15);
        result.Late.ShouldBe(0); // the runner kept the schedule although the system fell behind
        result.MaxConcurrency.ShouldBeGreaterThan(1);

        // Request k is served after the k before it (>= 40 ms each) but was due at 20k ms: its latency is >= 20k + 40 ms.
        var latencies = measured.OrderBy(m => m.Key).Select(m => m.Value.TotalMilliseconds).ToList();
        latencies.Count.ShouldBe(15);
        latencies.Zip(latencies.Skip(1), (a, b) => b > a).ShouldAllBe(growing => growing);
        result.Latency.Max.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(14 * 20 + 40 - 1);
        result.Latency.P50.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(7 * 20 + 40 - 1);

        // The service time alone (about 40 ms) hides the queueing that the intended-time latency shows.
        result.Stages.Single(s => s.Name == "service").Latency.P50.ShouldBeLessThan(result.Latency.P50);

        // The runner sees each completion after the server does, so its latencies are at least the server-side ones.
        result.Latency.Max.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(latencies.Max() - 1);
    }

    [Fact]
    public async Task The_max_concurrency_cap_drops_arrivals_with_a_reason_instead_of_queueing_them()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scenario = Scenario.Create("capped", async (_, token) =>
        {
            await gate.Task.WaitAsync(token);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.Burst(5), Simulation.Pause(TimeSpan.FromMilliseconds(20)));

        // The two admitted invocations hold until the dispatcher has handled the whole burst and waits out the pause
        // (on a fake clock, so it waits however slow this machine is).
        var clock = new FakeTimeProvider();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ScenarioRunner.RunAsync(scenario, Quiet with
        {
            TimeProvider = clock,
            MaxConcurrency = 2,
            OnDispatcherWaiting = _ => waiting.TrySetResult(),
        }, Ct);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        gate.SetResult();
        clock.Advance(TimeSpan.FromMilliseconds(20));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        result.Ok.ShouldBe(2);
        result.Dropped.ShouldBe(3);
        result.Requested.ShouldBe(5);
        result.DropReasons.ShouldBe(new Dictionary<string, long> { ["max concurrency (2) reached"] = 3 });
        result.MaxConcurrency.ShouldBe(2);
        result.EvaluateThresholds([Threshold.NoDropped()]).Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task The_closed_model_never_exceeds_its_copies()
    {
        var current = 0;
        var maxSeen = 0;
        var copies = new ConcurrentDictionary<int, bool>();
        var scenario = Scenario.Create("closed", async (context, token) =>
        {
            copies[context.CopyNumber ?? -1] = true;
            var now = Interlocked.Increment(ref current);
            int max;
            while (now > (max = Volatile.Read(ref maxSeen)) && Interlocked.CompareExchange(ref maxSeen, now, max) != max)
            {
            }

            await Task.Delay(10, token);
            Interlocked.Decrement(ref current);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.KeepConstant(4, TimeSpan.FromMilliseconds(300)));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with { LatenessTolerance = TimeSpan.FromSeconds(5) }, Ct);

        maxSeen.ShouldBeLessThanOrEqualTo(4);
        maxSeen.ShouldBe(4);
        result.MaxConcurrency.ShouldBeLessThanOrEqualTo(4);
        copies.Keys.Order().ShouldBe([0, 1, 2, 3]);
        result.Ok.ShouldBeGreaterThanOrEqualTo(8);
        result.Failed.ShouldBe(0);
        result.Late.ShouldBe(0);
        result.Latency.Min.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(5); // at least its own duration (a 10 ms timer may fire a little early)
        result.StartLateness.Count.ShouldBe(result.Ok);
    }

    [Fact]
    public async Task Failures_and_exceptions_are_counted_with_their_reasons()
    {
        var scenario = Scenario.Create("failing", (context, _) => context.InvocationNumber switch
        {
            < 5 => StepResult.OkTask(),
            < 8 => ValueTask.FromResult(StepResult.Fail("http 503")),
            _ => throw new InvalidOperationException("boom"),
        }).WithLoadSimulations(Simulation.Burst(10));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with { Thresholds = [Threshold.NoFailures()] }, Ct);

        result.Ok.ShouldBe(5);
        result.Failed.ShouldBe(5);
        result.FailureReasons.ShouldBe(new Dictionary<string, long> { ["InvalidOperationException"] = 2, ["http 503"] = 3 });
        result.Metrics[RunMetrics.FailedRatio].ShouldBe(0.5);
        result.Thresholds.ShouldHaveSingleItem().Passed.ShouldBeFalse();
        result.Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task An_invocation_timeout_fails_the_invocation_as_timeout()
    {
        var scenario = Scenario.Create("hangs", async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.Burst(3));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with { InvocationTimeout = TimeSpan.FromMilliseconds(50) }, Ct);

        result.Failed.ShouldBe(3);
        result.FailureReasons.ShouldBe(new Dictionary<string, long> { ["timeout"] = 3 });
        result.FailedLatency.Min.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(45);
    }

    [Fact]
    public async Task Invocations_that_ignore_cancellation_are_counted_as_unfinished_after_the_drain_timeout()
    {
        var never = new TaskCompletionSource<StepResult>();
        var scenario = Scenario.Create("stuck", (_, _) => new ValueTask<StepResult>(never.Task))
            .WithLoadSimulations(Simulation.Burst(2));
        var watch = Stopwatch.StartNew();

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with { DrainTimeout = TimeSpan.FromMilliseconds(100) }, Ct);

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        result.Failed.ShouldBe(2);
        result.FailureReasons.Single().Key.ShouldContain("drain timeout");
        never.SetResult(StepResult.Ok()); // a late completion is ignored
        result.Ok.ShouldBe(0);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_returns_an_aborted_result()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(150));
        var scenario = Scenario.Create("cancelled", (_, _) => StepResult.OkTask())
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
        var watch = Stopwatch.StartNew();

        var result = await ScenarioRunner.RunAsync(scenario, Quiet, cts.Token);

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        result.Aborted.ShouldBeTrue();
        result.AbortReason.ShouldBe("cancelled");
        result.Passed.ShouldBeFalse();
        result.Requested.ShouldBeLessThan(3000);
    }

    [Fact]
    public async Task A_threshold_checked_during_the_run_aborts_it_on_breach()
    {
        var scenario = Scenario.Create("breach", (_, _) => ValueTask.FromResult(StepResult.Fail("always")))
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
        var watch = Stopwatch.StartNew();

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            ReportingInterval = TimeSpan.FromMilliseconds(50),
            Thresholds = [Threshold.NoFailures().AbortOnBreach(), Threshold.Latency(99, TimeSpan.FromSeconds(1)).AbortOnBreach()],
        }, Ct);

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        result.Aborted.ShouldBeTrue();
        result.AbortReason.ShouldNotBeNull().ShouldContain("failed == 0");
        result.Passed.ShouldBeFalse();
        result.Requested.ShouldBeLessThan(3000);
    }

    [Fact]
    public async Task During_the_run_a_threshold_without_data_yet_is_not_a_breach()
    {
        var scenario = Scenario.Create("no-data-yet", async (_, token) =>
        {
            await Task.Delay(150, token);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.Burst(2));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            ReportingInterval = TimeSpan.FromMilliseconds(20),
            Thresholds =
            [
                Threshold.Latency(99, TimeSpan.FromSeconds(5)).AbortOnBreach(),
                Threshold.StageLatency("never", 99, TimeSpan.FromSeconds(1)).AbortOnBreach(),
                Threshold.Throughput(1_000_000).AbortOnBreach(),
            ],
        }, Ct);

        result.Aborted.ShouldBeFalse();
        result.Ok.ShouldBe(2);
        result.Thresholds.Select(t => t.Passed).ShouldBe([true, false, false]); // the end check still judges them
    }

    [Fact]
    public async Task Stages_recorded_by_the_scenario_or_from_outside_get_their_own_histograms()
    {
        var stages = new StageRecorder();
        stages.Record("sequencing", TimeSpan.FromMilliseconds(7));
        var scenario = Scenario.Create("stages", (context, _) =>
        {
            context.Record("queue wait", TimeSpan.FromMilliseconds(10 + context.InvocationNumber));
            context.Record("processing", TimeSpan.FromMilliseconds(500));
            return StepResult.OkTask();
        }).WithLoadSimulations(Simulation.Burst(100));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            Stages = stages,
            Thresholds = [Threshold.StageLatency("processing", 99, TimeSpan.FromMilliseconds(600)), Threshold.StageLatency("queue wait", 50, TimeSpan.FromMilliseconds(20))],
        }, Ct);

        result.Stages.Select(s => s.Name).ShouldBe(["sequencing", "queue wait", "processing"]);
        var wait = result.Stages[1].Latency;
        wait.Count.ShouldBe(100);
        wait.Min.TotalMilliseconds.ShouldBe(10, 0.02);
        wait.Max.TotalMilliseconds.ShouldBe(109, 0.2);
        wait.P50.TotalMilliseconds.ShouldBe(59, 0.1);
        result.Stages[2].Latency.P99.TotalMilliseconds.ShouldBe(500, 0.5);
        result.Thresholds.Select(t => t.Passed).ShouldBe([true, false]);
    }

    [Fact]
    public async Task The_verification_hook_is_attached_and_folded_into_pass_fail_and_metrics()
    {
        var scenario = Scenario.Create("verified", (_, _) => StepResult.OkTask()).WithLoadSimulations(Simulation.Burst(5));
        var counts = new Dictionary<string, long> { ["lost"] = 1, ["duplicated"] = 0, ["reordered"] = 0 };

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            Verify = _ => ValueTask.FromResult<IInvariantReport>(VerificationResult.FromCounts(counts, "lost: msg-4")),
            Thresholds = [Threshold.Metric("lost", v => v == 0, "lost == 0"), Threshold.Metric("duplicated", v => v == 0, "duplicated == 0")],
        }, Ct);

        result.Ok.ShouldBe(5);
        result.Verification.ShouldNotBeNull().Passed.ShouldBeFalse();
        result.Verification.Text.ShouldBe("lost: msg-4");
        result.Metrics["lost"].ShouldBe(1);
        result.Metrics[RunMetrics.VerificationPassed].ShouldBe(0);
        result.Thresholds.Select(t => (t.Description, t.Passed)).ShouldBe([("lost == 0", false), ("duplicated == 0", true)]);
        result.Passed.ShouldBeFalse();

        var clean = result.WithVerification(VerificationResult.FromCounts(new Dictionary<string, long> { ["lost"] = 0 }))
            .EvaluateThresholds([Threshold.Metric("lost", v => v == 0, "lost == 0")]);
        clean.Passed.ShouldBeTrue();
    }

    [Fact]
    public async Task A_verification_hook_that_throws_fails_the_run_with_the_error_in_the_text()
    {
        var scenario = Scenario.Create("verify-throws", (_, _) => StepResult.OkTask()).WithLoadSimulations(Simulation.Burst(1));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet with
        {
            Verify = _ => throw new InvalidOperationException("checker unreachable"),
        }, Ct);

        result.Verification.ShouldNotBeNull().Passed.ShouldBeFalse();
        result.Verification.Text.ShouldContain("checker unreachable");
        result.Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task An_open_model_run_reaches_its_scheduled_rate_on_the_real_clock()
    {
        var seen = new ConcurrentDictionary<long, (TimeSpan Intended, TimeSpan Actual)>();
        var scenario = Scenario.Create("rate", (context, _) =>
            {
                seen[context.InvocationNumber] = (context.IntendedOffset, context.ActualOffset);
                return StepResult.OkTask();
            })
            .WithLoadSimulations(Simulation.Inject(200, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500)));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet, Ct);

        result.Ok.ShouldBe(100);
        seen.OrderBy(s => s.Key).Select(s => s.Value.Intended).ShouldBe([.. Enumerable.Range(0, 100).Select(k => TimeSpan.FromMilliseconds(5 * k))]);
        seen.Values.ShouldAllBe(s => s.Actual >= s.Intended); // the dispatcher never starts one early
        result.Duration.TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(495);
        result.ThroughputPerSecond.ShouldBeInRange(100, 205);
        result.TimeSeries.Sum(p => p.Ok).ShouldBe(100);
        result.TimeSeries.Count.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_closed_step_hands_over_to_the_next_step_on_schedule()
    {
        var seen = new ConcurrentBag<(int Phase, int? Copy, TimeSpan Intended)>();
        var scenario = Scenario.Create("closed-then-burst", async (context, token) =>
        {
            seen.Add((context.PhaseIndex, context.CopyNumber, context.IntendedOffset));
            await Task.Delay(5, token);
            return StepResult.Ok();
        }).WithLoadSimulations(Simulation.KeepConstant(2, TimeSpan.FromMilliseconds(100)), Simulation.Burst(3));

        var result = await ScenarioRunner.RunAsync(scenario, Quiet, Ct);

        var closed = seen.Where(s => s.Phase == 0).ToList();
        var burst = seen.Where(s => s.Phase == 1).ToList();
        closed.Count.ShouldBeGreaterThanOrEqualTo(2);
        closed.ShouldAllBe(s => s.Copy != null && s.Intended < TimeSpan.FromMilliseconds(100)); // no new iteration after the step ends
        burst.Count.ShouldBe(3);
        burst.ShouldAllBe(s => s.Copy == null && s.Intended == TimeSpan.FromMilliseconds(100));
        result.Ok.ShouldBe(seen.Count);
        result.MaxConcurrency.ShouldBeLessThanOrEqualTo(5);
    }

    [Fact]
    public async Task Auto_progress_prints_plain_lines_when_the_output_is_not_an_interactive_terminal()
    {
        using var output = new StringWriter();
        var scenario = Scenario.Create("auto", (_, _) => StepResult.OkTask()).WithLoadSimulations(Simulation.Burst(3));

        await ScenarioRunner.RunAsync(scenario, new RunOptions { Progress = ProgressMode.Auto, Output = output }, Ct);

        output.ToString().ShouldContain("load run auto: PASSED | ok=3 failed=0 dropped=0 late=0");
    }
}
