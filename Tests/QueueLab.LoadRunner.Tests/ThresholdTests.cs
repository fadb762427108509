using HdrHistogram;
using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

public sealed class ThresholdTests
{
    [Fact]
    public void Latency_threshold_passes_and_fails_on_the_percentile_with_a_readable_description()
    {
        var result = TestResults.WithLatencies(Enumerable.Range(1, 1000).Select(ms => TimeSpan.FromMilliseconds(ms)));

        var pass = Threshold.Latency(p: 99, lessThan: TimeSpan.FromSeconds(2));
        var fail = Threshold.Latency(p: 99, lessThan: TimeSpan.FromMilliseconds(500));
        var p999 = Threshold.Latency(p: 99.9, lessThan: TimeSpan.FromMilliseconds(999));

        pass.Description.ShouldBe("p99 < 2s");
        pass.Evaluate(result).Passed.ShouldBeTrue();
        fail.Description.ShouldBe("p99 < 500ms");
        var failed = fail.Evaluate(result);
        failed.Passed.ShouldBeFalse();
        failed.Actual.ShouldStartWith("990");
        p999.Description.ShouldBe("p99.9 < 999ms");
        p999.Evaluate(result).Passed.ShouldBeFalse(); // p99.9 of 1..1000 ms is 999 ms, not below 999 ms
    }

    [Fact]
    public void Latency_threshold_fails_when_nothing_succeeded()
    {
        var result = TestResults.WithLatencies([]);

        var outcome = Threshold.Latency(50, TimeSpan.FromSeconds(1)).Evaluate(result);

        outcome.Passed.ShouldBeFalse();
        outcome.Actual.ShouldBe("no ok invocations");
    }

    [Fact]
    public void Metric_thresholds_read_built_in_and_extra_metrics_and_fail_when_not_reported()
    {
        var result = TestResults.WithLatencies([TimeSpan.FromMilliseconds(5)]) with { Failed = 3 };

        Threshold.NoFailures().Description.ShouldBe("failed == 0");
        Threshold.NoFailures().Evaluate(result).ShouldBe(new ThresholdResult("failed == 0", false, "3"));
        Threshold.Metric("ok", v => v >= 1, "ok >= 1").Evaluate(result).Passed.ShouldBeTrue();
        Threshold.Metric("lost", v => v == 0, "lost == 0").Evaluate(result).ShouldBe(new ThresholdResult("lost == 0", false, "not reported"));
        Threshold.Metric("efficiency", v => v >= 0.95, "efficiency >= 0.95").Evaluate(result.WithMetric("efficiency", 0.97)).Passed.ShouldBeTrue();
        Threshold.VerificationPassed().Evaluate(result).Passed.ShouldBeFalse();
    }

    [Fact]
    public void Throughput_threshold_compares_with_an_ideal()
    {
        // 95 ok in 1 s.
        var result = TestResults.WithLatencies(Enumerable.Repeat(TimeSpan.FromMilliseconds(1), 95)) with { Duration = TimeSpan.FromSeconds(1) };

        var ofIdeal = Threshold.ThroughputOfIdeal(0.9, idealPerSecond: 100);
        ofIdeal.Description.ShouldBe("throughput >= 0.9 x ideal (90/s of 100/s)");
        ofIdeal.Evaluate(result).Passed.ShouldBeTrue();
        Threshold.ThroughputOfIdeal(0.99, 100).Evaluate(result).Passed.ShouldBeFalse();
        Threshold.Throughput(95).Evaluate(result).Passed.ShouldBeTrue();
        Threshold.Throughput(96).Evaluate(result).ShouldBe(new ThresholdResult("throughput >= 96/s", false, "95/s"));
    }

    [Fact]
    public void A_failed_threshold_fails_the_run_and_all_passing_thresholds_pass_it()
    {
        var result = TestResults.WithLatencies([TimeSpan.FromMilliseconds(10)]);

        result.Passed.ShouldBeTrue(); // no thresholds
        result.EvaluateThresholds([Threshold.NoFailures(), Threshold.Latency(99, TimeSpan.FromMilliseconds(20))]).Passed.ShouldBeTrue();
        var failed = result.EvaluateThresholds([Threshold.NoFailures(), Threshold.Latency(99, TimeSpan.FromMilliseconds(5))]);
        failed.Passed.ShouldBeFalse();
        failed.Thresholds.Select(t => t.Passed).ShouldBe([true, false]);
        (result with { AbortReason = "cancelled" }).Passed.ShouldBeFalse();
    }

    [Fact]
    public void Threshold_factories_reject_nonsense()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Threshold.Latency(101, TimeSpan.FromSeconds(1)));
        Should.Throw<ArgumentOutOfRangeException>(() => Threshold.StageLatency("processing", 42, TimeSpan.FromSeconds(1)));
        Should.Throw<ArgumentException>(() => Threshold.Metric(" ", v => true, "x"));
    }

    [Fact]
    public void Percentiles_match_known_data()
    {
        // 1..10,000 ms, each once: the exact percentiles are known; HdrHistogram keeps 3 significant digits (0.1 %).
        var histogram = new LongConcurrentHistogram(1, 3_600_000_000, 3);
        for (var ms = 1; ms <= 10_000; ms++)
        {
            histogram.RecordValue(ms * 1000L);
        }

        var stats = LatencyStats.From(histogram);

        stats.Count.ShouldBe(10_000);
        stats.Min.TotalMilliseconds.ShouldBe(1, 0.001);
        stats.Mean.TotalMilliseconds.ShouldBe(5000.5, 5);
        stats.P50.TotalMilliseconds.ShouldBe(5000, 5);
        stats.P75.TotalMilliseconds.ShouldBe(7500, 7.5);
        stats.P95.TotalMilliseconds.ShouldBe(9500, 9.5);
        stats.P99.TotalMilliseconds.ShouldBe(9900, 9.9);
        stats.Max.TotalMilliseconds.ShouldBe(10_000, 10);
        stats.StdDev.TotalMilliseconds.ShouldBe(2886.75, 5);
    }

    [Fact]
    public void Percentiles_of_a_skewed_distribution_show_the_tail()
    {
        // 990 fast (1 ms) and 10 slow (2 s) values: the median is fast, p99 is still fast, the max and p99.9 are slow.
        var result = TestResults.WithLatencies(
            Enumerable.Repeat(TimeSpan.FromMilliseconds(1), 990).Concat(Enumerable.Repeat(TimeSpan.FromSeconds(2), 10)));

        result.Latency.P50.TotalMilliseconds.ShouldBe(1, 0.001);
        result.Latency.P99.TotalMilliseconds.ShouldBe(1, 0.001);
        result.LatencyAtPercentile(99.5).TotalMilliseconds.ShouldBe(2000, 2);
        result.Latency.Max.TotalMilliseconds.ShouldBe(2000, 2);
        result.Latency.Mean.TotalMilliseconds.ShouldBe(((990 * 1) + (10 * 2000)) / 1000.0, 0.05);
    }
}
