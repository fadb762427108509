using System.Diagnostics;
using System.Globalization;
using QueueLab.Lab.Processes;

namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// CPU seconds each of the lab's resources (every instance and its child processes, from /proc) and this runner used
/// between <see cref="Start"/> and <see cref="Stop"/>: on a shared machine it tells a slow service from a starved one.
/// Only for a lab the suite started (it knows the process ids); empty otherwise.
/// </summary>
public sealed class CpuProfile
{
    public const string Runner = "load runner (this process)";
    private readonly Func<string, IReadOnlyList<int>>? _pids;
    private readonly IReadOnlyList<string> _resources;
    private readonly Dictionary<string, double> _before;
    private readonly long _started = Stopwatch.GetTimestamp();

    private CpuProfile(Func<string, IReadOnlyList<int>>? pids, IReadOnlyList<string> resources)
    {
        _pids = pids;
        _resources = resources;
        _before = Snapshot();
    }

    public static CpuProfile Start(LabConnections lab, params string[] resources) => new(lab.ProcessIds, resources);

    /// <summary>CPU seconds per resource since <see cref="Start"/>, the wall time, and the machine's core count.</summary>
    public (IReadOnlyList<(string Resource, double CpuSeconds)> Usage, TimeSpan Wall) Stop()
    {
        var after = Snapshot();
        var usage = after.Select(a => (a.Key, Math.Max(0, a.Value - _before.GetValueOrDefault(a.Key)))).ToList();
        return (usage, Stopwatch.GetElapsedTime(_started));
    }

    public static string Describe((IReadOnlyList<(string Resource, double CpuSeconds)> Usage, TimeSpan Wall) profile)
    {
        var total = profile.Usage.Sum(u => u.CpuSeconds);
        var available = Environment.ProcessorCount * profile.Wall.TotalSeconds;
        return string.Join(", ", profile.Usage.Select(u => $"{u.Resource} {u.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s")) +
               $"; together {total.ToString("0.00", CultureInfo.InvariantCulture)} s of {Environment.ProcessorCount} cores x {profile.Wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
               $"({(available > 0 ? total / available * 100 : 0).ToString("0", CultureInfo.InvariantCulture)}%; the rest went to other processes or idle)";
    }

    private Dictionary<string, double> Snapshot()
    {
        var snapshot = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_pids is not null)
        {
            foreach (var resource in _resources)
            {
                snapshot[resource] = _pids(resource).SelectMany(ProcessTree.Of).Distinct().Sum(ProcessTree.CpuSeconds);
            }
        }

        snapshot[Runner] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        return snapshot;
    }
}
