using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;

namespace QueueLab.LoadSuites.Suites;

/// <summary>One load suite: the lab it needs and the run itself.</summary>
public interface ISuite
{
    string Name { get; }

    /// <summary>The AppHost settings, resources and connection strings this run needs.</summary>
    LabProfile Profile(SuiteOptions options);

    /// <summary>Runs against <paramref name="lab"/> (verification and thresholds included) and returns the outcome.</summary>
    Task<SuiteOutcome> RunAsync(SuiteOptions options, LabConnections lab, CancellationToken cancellationToken);
}
