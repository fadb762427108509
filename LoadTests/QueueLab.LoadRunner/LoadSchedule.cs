namespace QueueLab.LoadRunner;

/// <summary>
/// The timeline of a scenario's load simulations and, for open-model steps, every invocation's intended start time.
/// Arrivals are computed lazily, so long soaks at high rates use no memory for the schedule.
/// </summary>
public sealed class LoadSchedule
{
    private LoadSchedule(IReadOnlyList<SchedulePhase> phases) => Phases = phases;

    /// <summary>The steps, in order, with their start times.</summary>
    public IReadOnlyList<SchedulePhase> Phases { get; }

    /// <summary>The total schedule time (the end of the last step).</summary>
    public TimeSpan Duration => Phases.Count == 0 ? TimeSpan.Zero : Phases[^1].End;

    /// <summary>How many invocations the open-model steps hold (closed-model steps have no fixed count).</summary>
    public long ExpectedOpenInvocations => Phases.Sum(p => p.ExpectedInvocations ?? 0);

    /// <summary>Whether every step is open-model (so <see cref="ExpectedOpenInvocations"/> is the run's full count).</summary>
    public bool IsFullyOpen => Phases.All(p => p.ExpectedInvocations is not null);

    /// <summary>Places <paramref name="simulations"/> one after the other on a timeline starting at zero.</summary>
    public static LoadSchedule Build(IReadOnlyList<LoadSimulation> simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        var phases = new List<SchedulePhase>(simulations.Count);
        var start = TimeSpan.Zero;
        var previousRate = 0.0;
        for (var i = 0; i < simulations.Count; i++)
        {
            var simulation = simulations[i];
            var phase = simulation switch
            {
                BurstSimulation burst => new SchedulePhase(i, simulation, start, 0, 0, burst.Count),
                InjectSimulation inject => new SchedulePhase(
                    i, simulation, start, inject.RatePerSecond, inject.RatePerSecond,
                    CountBelow(inject.RatePerSecond * inject.During.TotalSeconds)),
                RampingInjectSimulation ramp => new SchedulePhase(
                    i, simulation, start, previousRate, ramp.RatePerSecond,
                    CountBelow((previousRate + ramp.RatePerSecond) / 2 * ramp.During.TotalSeconds)),
                IterationsForInjectSimulation iterations => new SchedulePhase(
                    i, simulation, start, iterations.RatePerSecond, iterations.RatePerSecond, iterations.Iterations),
                KeepConstantSimulation => new SchedulePhase(i, simulation, start, 0, 0, null),
                PauseSimulation => new SchedulePhase(i, simulation, start, 0, 0, 0),
                _ => throw new NotSupportedException($"Unknown load simulation {simulation.GetType().Name}."),
            };
            phases.Add(phase);
            previousRate = phase.EndRatePerSecond;
            start = phase.End;
        }

        return new LoadSchedule(phases);
    }

    /// <summary>
    /// The intended start times (relative to the run's start) of an open-model step's invocations, in order.
    /// The k-th arrival (k from 0) is due when the integrated arrival rate reaches k, so a constant rate r gives k / r and
    /// a linear ramp gives the matching root of a quadratic. Empty for a closed-model step or a pause.
    /// </summary>
    public static IEnumerable<TimeSpan> Arrivals(SchedulePhase phase)
    {
        ArgumentNullException.ThrowIfNull(phase);
        var count = phase.ExpectedInvocations ?? 0;
        switch (phase.Simulation)
        {
            case BurstSimulation:
                for (long k = 0; k < count; k++)
                {
                    yield return phase.Start;
                }

                break;
            case InjectSimulation or IterationsForInjectSimulation:
                for (long k = 0; k < count; k++)
                {
                    yield return phase.Start + Seconds(k / phase.StartRatePerSecond);
                }

                break;
            case RampingInjectSimulation ramp:
                var during = ramp.During.TotalSeconds;
                var b = phase.StartRatePerSecond;
                var a = (phase.EndRatePerSecond - phase.StartRatePerSecond) / (2 * during);
                for (long k = 0; k < count; k++)
                {
                    // Solve a t² + b t = k for the smallest t >= 0, in the form that stays stable when a is 0 or negative.
                    var t = k == 0 ? 0 : 2.0 * k / (b + Math.Sqrt(Math.Max(0, (b * b) + (4 * a * k))));
                    yield return phase.Start + Seconds(Math.Min(t, during));
                }

                break;
        }
    }

    /// <summary>All open-model arrivals of the whole schedule, in order, with the index of their step.</summary>
    public IEnumerable<(int Phase, TimeSpan Intended)> AllArrivals() =>
        Phases.SelectMany(p => Arrivals(p).Select(t => (p.Index, t)));

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    // The number of non-negative integers k with k < total (an arrival is due at integrated rate k, inside the step).
    private static long CountBelow(double total)
    {
        if (total <= 0 || double.IsNaN(total))
        {
            return 0;
        }

        var rounded = Math.Round(total);
        return Math.Abs(total - rounded) < 1e-9 ? (long)rounded : (long)Math.Ceiling(total);
    }
}
