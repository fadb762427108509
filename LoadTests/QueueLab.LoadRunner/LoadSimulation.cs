namespace QueueLab.LoadRunner;

/// <summary>One step of a scenario's load profile. Create them with <see cref="Simulation"/>.</summary>
public abstract record LoadSimulation
{
    /// <summary>How long this step occupies the schedule (zero for a burst).</summary>
    public abstract TimeSpan Duration { get; }

    /// <summary>Whether this is an open-model step (arrivals follow a schedule whatever the system does).</summary>
    public abstract bool IsOpenModel { get; }

    /// <summary>A short readable description, e.g. "inject 10 per 1s during 30s".</summary>
    public abstract string Describe();

    internal static string Format(TimeSpan value) => Formatting.Duration(value);
}
