namespace QueueLab.LoadRunner;

/// <summary>Factory for load simulations (modelled on NBomber's <c>Simulation</c>). Steps compose in sequence.</summary>
public static class Simulation
{
    /// <summary>Open model: <paramref name="count"/> invocations all at once.</summary>
    public static LoadSimulation Burst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new BurstSimulation(count);
    }

    /// <summary>Open model: <paramref name="rate"/> invocations per <paramref name="interval"/>, evenly spaced, during <paramref name="during"/>. Rates below 1 per second work (e.g. rate 1, interval 5 s).</summary>
    public static LoadSimulation Inject(double rate, TimeSpan interval, TimeSpan during)
    {
        ValidateRate(rate, interval);
        ArgumentOutOfRangeException.ThrowIfLessThan(during, TimeSpan.Zero);
        return new InjectSimulation(rate, interval, during);
    }

    /// <summary>Open model: the rate ramps linearly from the previous step's rate to <paramref name="rate"/> per <paramref name="interval"/> over <paramref name="during"/>.</summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during)
    {
        ValidateRate(rate, interval);
        ArgumentOutOfRangeException.ThrowIfLessThan(during, TimeSpan.Zero);
        return new RampingInjectSimulation(rate, interval, during);
    }

    /// <summary>Closed model: <paramref name="copies"/> copies loop over the scenario during <paramref name="during"/>.</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        ArgumentOutOfRangeException.ThrowIfLessThan(during, TimeSpan.Zero);
        return new KeepConstantSimulation(copies, during);
    }

    /// <summary>Open model: exactly <paramref name="iterations"/> invocations at <paramref name="rate"/> per <paramref name="interval"/>.</summary>
    public static LoadSimulation IterationsForInject(double rate, TimeSpan interval, long iterations)
    {
        ValidateRate(rate, interval);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        return new IterationsForInjectSimulation(rate, interval, iterations);
    }

    /// <summary>No invocations for <paramref name="during"/>.</summary>
    public static LoadSimulation Pause(TimeSpan during)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(during, TimeSpan.Zero);
        return new PauseSimulation(during);
    }

    private static void ValidateRate(double rate, TimeSpan interval)
    {
        if (double.IsNaN(rate) || double.IsInfinity(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number >= 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
    }
}
