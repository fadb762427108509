namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// The lab a suite needs: AppHost settings (<c>key=value</c>) and resources to wait for when it starts one itself,
/// and the connection strings (by resource name) it uses either way.
/// </summary>
public sealed record LabProfile(IReadOnlyList<string> AppHostSettings, IReadOnlyList<string> Resources, IReadOnlyList<string> Connections)
{
    public string Describe() => string.Join(" ", AppHostSettings);
}
