namespace QueueLab.LoadTests.Labs;

/// <summary>The connection strings of a lab, by resource name (<c>cache</c>, <c>messaging</c>, <c>queuelab</c>).</summary>
public sealed class LabConnections(IReadOnlyDictionary<string, string> strings, bool startedBySuite)
{
    /// <summary>Whether the suite started this lab itself (so it knows the lab's settings).</summary>
    public bool StartedBySuite { get; } = startedBySuite;

    /// <summary>For a lab the suite started: the process ids of a resource's running instances (for the CPU profile).</summary>
    public Func<string, IReadOnlyList<int>>? ProcessIds { get; init; }

    public string this[string name] => strings.TryGetValue(name, out var value)
        ? value
        : throw new InvalidOperationException(
            $"No connection string for '{name}': pass --connection-string {name}=VALUE (./queuelab env prints how to reach a running lab).");
}
