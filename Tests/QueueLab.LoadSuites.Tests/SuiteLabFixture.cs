using QueueLab.LoadSuites.Labs;
using QueueLab.Testing;

namespace QueueLab.LoadSuites.Tests;

/// <summary>One lab (the AppHost through the testing builder) with a suite's settings, shared by a collection's suite runs.</summary>
public abstract class SuiteLabFixture : LabFixture
{
    private LabConnections? _lab;

    protected abstract LabProfile Profile { get; }

    protected override IEnumerable<string> Arguments => [.. Profile.AppHostSettings, .. QuietLogging];

    protected override IEnumerable<string> ResourcesToAwait => Profile.Resources;

    public LabConnections Lab => _lab ?? throw new InvalidOperationException("The lab has not started.");

    protected override async ValueTask StartedAsync()
    {
        var strings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Profile.Connections)
        {
            strings[name] = await GetConnectionStringAsync(name);
        }

        _lab = new LabConnections(strings, startedBySuite: true) { ProcessIds = Resources.ProcessIds };
    }
}
