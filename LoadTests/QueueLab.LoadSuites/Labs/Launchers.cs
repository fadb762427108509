using System.Globalization;
using QueueLab.Lab.Processes;

namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// What the <c>dotnet run</c> launchers cost: Aspire 13 starts every project resource as <c>dotnet run --project ...
/// --no-build</c>, which evaluates the project, starts the built service as its child and stays alive beside it for the
/// service's whole life. From /proc: the launchers' resident memory, the services' own, and how long after its launcher
/// each service process started (what every start and restart of a replica pays).
/// </summary>
public sealed record Launchers(int Count, long LauncherBytes, long ServiceBytes, IReadOnlyList<double> StartDelaysSeconds)
{
    /// <summary>The launchers of <paramref name="resources"/>' instances, or null when the lab's processes are not known.</summary>
    public static Launchers? Measure(LabConnections lab, IEnumerable<string> resources)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (lab.ProcessIds is null)
        {
            return null;
        }

        var pids = resources.SelectMany(r => lab.ProcessIds(r)).SelectMany(ProcessTree.Of).Distinct().ToList();
        var launchers = pids.Where(pid => IsLauncher(ProcessTree.CommandLine(pid))).ToList();
        var delays = new List<double>();
        foreach (var launcher in launchers)
        {
            var children = ProcessTree.Of(launcher).Where(p => p != launcher).Select(ProcessTree.StartedSeconds).OfType<double>().ToList();
            if (ProcessTree.StartedSeconds(launcher) is { } started && children.Count > 0)
            {
                delays.Add(children.Min() - started);
            }
        }

        return new Launchers(launchers.Count, launchers.Sum(ProcessTree.ResidentBytes), pids.Except(launchers).Sum(ProcessTree.ResidentBytes), delays);
    }

    /// <summary><c>dotnet run ... --project ...</c>: a launcher, not a service.</summary>
    public static bool IsLauncher(string commandLine) =>
        commandLine.Contains(" run ", StringComparison.Ordinal) && commandLine.Contains("--project", StringComparison.Ordinal);

    public string Describe()
    {
        var each = Count > 0 ? LauncherBytes / 1048576.0 / Count : 0;
        var delay = StartDelaysSeconds.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{StartDelaysSeconds.Average():0.00} s (max {StartDelaysSeconds.Max():0.00} s)")
            : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Count} launchers, {LauncherBytes / 1048576.0:0} MB resident together ({each:0} MB each) beside {ServiceBytes / 1048576.0:0} MB of the services they run; each service started {delay} after its launcher");
    }
}
