using QueueLab.LoadRunner;
using Shouldly;
using Xunit;

namespace QueueLab.LoadRunner.Tests;

public sealed class ScheduleTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    private static List<TimeSpan> ArrivalsOf(params LoadSimulation[] simulations) =>
        [.. LoadSchedule.Build(simulations).AllArrivals().Select(a => a.Intended)];

    [Fact]
    public void Inject_spreads_the_rate_evenly_over_each_interval()
    {
        var arrivals = ArrivalsOf(Simulation.Inject(10, S(1), S(2)));

        arrivals.Count.ShouldBe(20);
        arrivals.ShouldBe([.. Enumerable.Range(0, 20).Select(k => Ms(k * 100))]);
    }

    [Fact]
    public void Inject_rate_is_per_interval_not_per_second()
    {
        // 50 per 500 ms is 100 per second.
        var arrivals = ArrivalsOf(Simulation.Inject(50, Ms(500), S(1)));

        arrivals.Count.ShouldBe(100);
        arrivals[1].ShouldBe(Ms(10));
        arrivals[^1].ShouldBe(Ms(990));
    }

    [Fact]
    public void One_per_five_seconds_works()
    {
        var arrivals = ArrivalsOf(Simulation.Inject(1, S(5), S(20)));

        arrivals.ShouldBe([S(0), S(5), S(10), S(15)]);
    }

    [Fact]
    public void Fractional_rate_below_one_per_second_works()
    {
        var arrivals = ArrivalsOf(Simulation.Inject(0.5, S(1), S(10)));

        arrivals.ShouldBe([S(0), S(2), S(4), S(6), S(8)]);
    }

    [Fact]
    public void A_rate_too_low_for_the_duration_still_schedules_the_first_arrival_and_counts_partial_ones()
    {
        // 0.25/s during 1 s: the integrated rate reaches 0 at t = 0 only.
        ArrivalsOf(Simulation.Inject(0.25, S(1), S(1))).ShouldBe([S(0)]);

        // 3 per 2 s during 1 s: 1.5 arrivals integrated, so arrivals at 0 and 2/3 s.
        var arrivals = ArrivalsOf(Simulation.Inject(3, S(2), S(1)));
        arrivals.Count.ShouldBe(2);
        arrivals[1].TotalMilliseconds.ShouldBe(666.667, 0.001);
    }

    [Fact]
    public void Burst_puts_every_invocation_at_the_same_instant_and_takes_no_schedule_time()
    {
        var schedule = LoadSchedule.Build([Simulation.Burst(500)]);

        schedule.Duration.ShouldBe(TimeSpan.Zero);
        schedule.ExpectedOpenInvocations.ShouldBe(500);
        schedule.AllArrivals().ShouldAllBe(a => a.Intended == TimeSpan.Zero);
        schedule.AllArrivals().Count().ShouldBe(500);
    }

    [Fact]
    public void Ramping_from_zero_integrates_to_the_average_rate_and_accelerates()
    {
        // 0 → 10/s over 2 s: 10 arrivals (average 5/s), the k-th when 2.5 t² = k.
        var arrivals = ArrivalsOf(Simulation.RampingInject(10, S(1), S(2)));

        arrivals.Count.ShouldBe(10);
        for (var k = 0; k < arrivals.Count; k++)
        {
            arrivals[k].TotalSeconds.ShouldBe(Math.Sqrt(k / 2.5), 1e-6);
        }

        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).ToList();
        gaps.Zip(gaps.Skip(1), (a, b) => b < a).ShouldAllBe(shrinking => shrinking);
        arrivals[^1].ShouldBeLessThan(S(2));
    }

    [Fact]
    public void Ramping_starts_from_the_previous_injection_rate_and_can_ramp_down()
    {
        var schedule = LoadSchedule.Build([
            Simulation.Inject(10, S(1), S(1)),
            Simulation.RampingInject(30, S(1), S(1)),
            Simulation.RampingInject(0, S(1), S(2)),
        ]);

        schedule.Phases[1].StartRatePerSecond.ShouldBe(10);
        schedule.Phases[1].EndRatePerSecond.ShouldBe(30);
        schedule.Phases[1].ExpectedInvocations.ShouldBe(20); // average 20/s for 1 s
        schedule.Phases[2].StartRatePerSecond.ShouldBe(30);
        schedule.Phases[2].ExpectedInvocations.ShouldBe(30); // average 15/s for 2 s

        var up = LoadSchedule.Arrivals(schedule.Phases[1]).ToList();
        up[0].ShouldBe(S(1));
        up.ShouldAllBe(t => t >= S(1) && t < S(2));

        var down = LoadSchedule.Arrivals(schedule.Phases[2]).ToList();
        down.Count.ShouldBe(30);
        var gaps = down.Zip(down.Skip(1), (a, b) => b - a).ToList();
        gaps.Zip(gaps.Skip(1), (a, b) => b > a).ShouldAllBe(growing => growing);
        down.ShouldAllBe(t => t >= S(2) && t < S(4));
    }

    [Fact]
    public void Iterations_for_inject_schedules_exactly_the_iterations_at_the_rate()
    {
        var schedule = LoadSchedule.Build([Simulation.IterationsForInject(4, S(1), 7)]);
        var arrivals = schedule.AllArrivals().Select(a => a.Intended).ToList();

        arrivals.ShouldBe([.. Enumerable.Range(0, 7).Select(k => Ms(250 * k))]);
        schedule.Duration.ShouldBe(Ms(1750));
    }

    [Fact]
    public void Simulations_compose_in_sequence()
    {
        var schedule = LoadSchedule.Build([
            Simulation.Inject(2, S(1), S(1)),
            Simulation.Pause(Ms(500)),
            Simulation.Burst(3),
            Simulation.KeepConstant(4, S(2)),
            Simulation.IterationsForInject(1, S(1), 2),
        ]);

        schedule.Phases.Select(p => p.Start).ShouldBe([S(0), S(1), S(1.5), S(1.5), S(3.5)]);
        schedule.Duration.ShouldBe(S(5.5));
        schedule.Phases[3].ExpectedInvocations.ShouldBeNull();
        schedule.IsFullyOpen.ShouldBeFalse();
        schedule.ExpectedOpenInvocations.ShouldBe(2 + 3 + 2);
        schedule.AllArrivals().Select(a => a.Intended).ShouldBe([S(0), S(0.5), S(1.5), S(1.5), S(1.5), S(3.5), S(4.5)]);
        schedule.AllArrivals().Select(a => a.Phase).ShouldBe([0, 0, 2, 2, 2, 4, 4]);
    }

    [Fact]
    public void High_rates_over_long_durations_are_generated_lazily_and_exactly()
    {
        var schedule = LoadSchedule.Build([Simulation.Inject(10_000, S(1), TimeSpan.FromMinutes(10))]);

        schedule.ExpectedOpenInvocations.ShouldBe(6_000_000);
        LoadSchedule.Arrivals(schedule.Phases[0]).Skip(5_999_999).Single().ShouldBe(S(599.9999));
    }

    [Fact]
    public void Invalid_simulations_are_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.Inject(-1, S(1), S(1)));
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.Inject(double.NaN, S(1), S(1)));
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.Inject(1, TimeSpan.Zero, S(1)));
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.KeepConstant(0, S(1)));
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.Burst(-1));
        Should.Throw<ArgumentOutOfRangeException>(() => Simulation.IterationsForInject(0, S(1), 5));
    }

    [Fact]
    public void Descriptions_are_readable()
    {
        Simulation.Inject(0.5, S(1), S(30)).Describe().ShouldBe("inject 0.5 per 1s during 30s");
        Simulation.Burst(500).Describe().ShouldBe("burst 500");
        Simulation.KeepConstant(8, TimeSpan.FromMinutes(1)).Describe().ShouldBe("keep 8 copies during 60s");
        Simulation.RampingInject(100, Ms(500), S(10)).Describe().ShouldBe("ramp to 100 per 500ms during 10s");
    }
}
