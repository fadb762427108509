using QueueLab.Testing;

namespace QueueLab.LoadTests.Labs;

/// <summary>The test fixture's lab (random ports, temporary state folder), with a suite's AppHost settings.</summary>
public sealed class SuiteLab(LabProfile profile) : LabFixture
{
    // The AppHost's own logs (server output, health checks while servers stop) would bury the run's progress.
    protected override IEnumerable<string> Arguments =>
    [
        .. profile.AppHostSettings,
        .. QuietLogging,
    ];

    protected override IEnumerable<string> ResourcesToAwait => profile.Resources;
}
