using QueueLab.Lab.Measures;
using Shouldly;

namespace QueueLab.Lab.Tests;

/// <summary>The recovery measures on made-up output timelines (pure logic).</summary>
public sealed class RecoveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>One output every 10 ms (100/s) over [from, to).</summary>
    private static IEnumerable<DateTimeOffset> Steady(double fromSeconds, double toSeconds) =>
        Enumerable.Range(0, (int)Math.Round((toSeconds - fromSeconds) * 100)).Select(i => T0.AddSeconds(fromSeconds + i * 0.01));

    [Fact]
    public void A_fault_that_changes_nothing_has_no_stall_beyond_the_normal_gap()
    {
        var stats = Recovery.Analyze(Steady(0, 10), T0.AddSeconds(5.005), Second, expectedRate: 100);

        stats.LongestStall.ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(10.5));
        stats.RateBefore.ShouldBe(100, tolerance: 1);
        stats.ThroughputBack!.Value.ShouldBeLessThan(TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public void A_two_second_gap_after_the_fault_is_the_stall_and_throughput_is_back_when_output_resumes()
    {
        // Output stops 0.5 s after the fault and resumes 2 s later with the backlog (200 outputs in the first 0.5 s).
        var outputs = Steady(0, 5.5).Concat(Enumerable.Range(0, 200).Select(i => T0.AddSeconds(7.5 + i * 0.0025))).Concat(Steady(8, 12));
        var stats = Recovery.Analyze(outputs, T0.AddSeconds(5), Second, expectedRate: 100);

        stats.LongestStall.ShouldBe(TimeSpan.FromSeconds(2.01), tolerance: TimeSpan.FromMilliseconds(15));
        stats.ThroughputBack!.Value.ShouldBe(TimeSpan.FromSeconds(2.5), tolerance: TimeSpan.FromMilliseconds(15));
    }

    [Fact]
    public void The_time_from_the_fault_to_the_first_output_counts_as_a_stall()
    {
        var stats = Recovery.Analyze(Steady(0, 5).Concat(Steady(6.5, 9)), T0.AddSeconds(5), Second, expectedRate: 100);

        stats.LongestStall.ShouldBe(TimeSpan.FromSeconds(1.5), tolerance: TimeSpan.FromMilliseconds(15));
    }

    [Fact]
    public void A_slow_period_later_in_the_run_moves_the_recovery_after_it()
    {
        // Normal right after the fault, then a second of output at a third of the rate, then normal again.
        var slow = Enumerable.Range(0, 33).Select(i => T0.AddSeconds(7 + i * 0.03));
        var stats = Recovery.Analyze(Steady(0, 7).Concat(slow).Concat(Steady(8, 11)), T0.AddSeconds(5), Second, expectedRate: 100);

        stats.ThroughputBack!.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.5));
        stats.ThroughputBack!.Value.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(3.01));
    }

    [Fact]
    public void No_output_after_the_fault_is_a_stall_to_the_end_and_no_recovery()
    {
        var stats = Recovery.Analyze(Steady(0, 5), T0.AddSeconds(5), Second, expectedRate: 100, outputsEnd: T0.AddSeconds(9));

        stats.LongestStall.ShouldBe(TimeSpan.FromSeconds(4));
        stats.ThroughputBack.ShouldBeNull();
        stats.OutputsAfter.ShouldBe(0);
    }

    [Fact]
    public void A_fault_before_any_output_uses_the_expected_rate()
    {
        var stats = Recovery.Analyze(Steady(1, 4), T0, Second, expectedRate: 50);

        stats.RateBefore.ShouldBe(50);
        stats.LongestStall.ShouldBe(TimeSpan.FromSeconds(1), tolerance: TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Only_outputs_before_the_next_fault_count_for_this_one()
    {
        // Fault 1 at 3 s (0.5 s stall), fault 2 at 6 s (2 s stall): fault 1's stall must not include fault 2's.
        var outputs = Steady(0, 3).Concat(Steady(3.5, 6)).Concat(Steady(8, 10));
        var first = Recovery.Analyze(outputs, T0.AddSeconds(3), Second, 100, outputsEnd: T0.AddSeconds(6));
        var second = Recovery.Analyze(outputs, T0.AddSeconds(6), Second, 100, outputsEnd: T0.AddSeconds(10));

        first.LongestStall.ShouldBe(TimeSpan.FromSeconds(0.5), tolerance: TimeSpan.FromMilliseconds(15));
        second.LongestStall.ShouldBe(TimeSpan.FromSeconds(2), tolerance: TimeSpan.FromMilliseconds(15));
    }

    [Fact]
    public void The_drain_after_the_load_stopped_does_not_count_as_a_slow_down()
    {
        // Steady to 8 s, then a thin tail (the last few stragglers) to 9 s: the load stopped at 8 s.
        var tail = Enumerable.Range(0, 5).Select(i => T0.AddSeconds(8 + i * 0.2));
        var stats = Recovery.Analyze(Steady(0, 8).Concat(tail), T0.AddSeconds(4), Second, 100, loadEnd: T0.AddSeconds(8));

        stats.ThroughputBack!.Value.ShouldBeLessThan(TimeSpan.FromMilliseconds(20));
    }
}
