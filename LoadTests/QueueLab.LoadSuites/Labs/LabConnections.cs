using QueueLab.Lab.Setup;

namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// The lab a suite runs against: its connection strings by resource name (<c>cache</c>, <c>messaging</c>,
/// <c>queuelab</c>), what it runs when that is known, and the processes of its resources when they can be found (for the
/// CPU profile).
/// </summary>
public sealed class LabConnections(IReadOnlyDictionary<string, string> strings, bool startedBySuite)
{
    /// <summary>Whether this lab was started for this run, with the suite's own settings.</summary>
    public bool StartedBySuite { get; } = startedBySuite;

    /// <summary>What the lab runs (its pipelines and their shape), when known.</summary>
    public LabSetup? Setup { get; init; }

    /// <summary>Whether the run knows the lab's shape (it started the lab, or the lab described itself): readiness then
    /// waits for every replica, not just one.</summary>
    public bool KnowsShape => StartedBySuite || Setup is not null;

    /// <summary>
    /// How many instances of <paramref name="resource"/> a run waits to see ready before it starts: those running now
    /// when the lab can say (a replica that crashed, or that was stopped, is not waited for: a run on a degraded lab is
    /// what the chaos commands are for), else the lab's <paramref name="shape"/> when known, else one.
    /// </summary>
    public int ReadyTarget(string resource, int shape) =>
        !KnowsShape ? 1
        : ProcessIds?.Invoke(resource) is { Count: > 0 } running ? Math.Min(running.Count, shape)
        : shape;

    /// <summary>The process ids of a resource's running instances, when they can be found (for the CPU profile).</summary>
    public Func<string, IReadOnlyList<int>>? ProcessIds { get; init; }

    public string this[string name] => strings.TryGetValue(name, out var value)
        ? value
        : throw new InvalidOperationException(
            $"No connection string for '{name}': pass --connection-string {name}=VALUE (./queuelab env prints how to reach a running lab).");
}
