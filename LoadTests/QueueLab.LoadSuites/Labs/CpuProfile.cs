using System.Diagnostics;
using System.Globalization;
using QueueLab.Lab.Processes;

namespace QueueLab.LoadSuites.Labs;

/// <summary>
/// CPU seconds each of the lab's resources (every instance and its child processes, from /proc) and this runner used
/// between <see cref="Start"/> and <see cref="Stop"/>: on a shared machine it tells a slow service from a starved one.
/// Only for a lab the suite started (it knows the process ids); empty otherwise.
/// <para>
/// Each process is counted by itself (its id and start time), from the CPU it had at the start, or from 0 if it started
/// during the run, to the last figure read. The known processes' figures are read every <see cref="SampleEvery"/>, and
/// the resources' processes are looked for again every <see cref="DiscoverEvery"/> samples (and at the stop), so a
/// process killed during the run (a chaos kill, a <c>--kill</c> run) still counts what it used until then, less at most
/// one interval, and its replacement counts from its own start. A process that starts and ends between two searches is
/// not seen.
/// </para>
/// </summary>
public sealed class CpuProfile : IDisposable
{
    public const string Runner = "load runner (this process)";

    /// <summary>How often the known processes' CPU is read (a few small /proc reads: not a cost the figures show).</summary>
    public static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Every how many samples the resources' processes are looked for again (a walk of /proc per resource).</summary>
    public const int DiscoverEvery = 4;

    private readonly Func<string, IReadOnlyList<int>>? _pids;
    private readonly IReadOnlyList<string> _resources;
    private readonly Dictionary<(int Pid, double Started), Seen> _seen = [];
    private readonly Lock _gate = new();
    private readonly double _runnerBefore;
    private readonly double _startedSinceBoot;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Timer? _sampler;
    private int _samples;

    private sealed class Seen(string resource, double first)
    {
        public string Resource { get; } = resource;

        public double First { get; } = first;

        public double Last { get; set; } = first;
    }

    private CpuProfile(Func<string, IReadOnlyList<int>>? pids, IReadOnlyList<string> resources)
    {
        _pids = pids;
        _resources = resources;
        _startedSinceBoot = ProcessTree.SecondsSinceBoot();
        Discover(atStart: true);
        _runnerBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (_pids is not null)
        {
            _sampler = new Timer(_ => Tick(), null, SampleEvery, SampleEvery);
        }
    }

    public static CpuProfile Start(LabConnections lab, params string[] resources) => new(lab.ProcessIds, resources);

    /// <summary>How many times the known processes' CPU has been read.</summary>
    public int Samples => Volatile.Read(ref _samples);

    /// <summary>CPU seconds per resource since <see cref="Start"/>, the wall time, and the machine's core count.</summary>
    public CpuUsage Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started);
        var runner = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _runnerBefore;
        Dispose();
        Sample();
        Discover(atStart: false);
        lock (_gate)
        {
            var usage = _resources.Select(r => (r, _seen.Values.Where(s => s.Resource == r).Sum(s => Math.Max(0, s.Last - s.First)))).ToList();
            usage.Add((Runner, Math.Max(0, runner)));
            return new CpuUsage(usage, wall);
        }
    }

    public static string Describe(CpuUsage profile)
    {
        var total = profile.Usage.Sum(u => u.CpuSeconds);
        var available = Environment.ProcessorCount * profile.Wall.TotalSeconds;
        return string.Join(", ", profile.Usage.Select(u => $"{u.Resource} {u.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s")) +
               $"; together {total.ToString("0.00", CultureInfo.InvariantCulture)} s of {Environment.ProcessorCount} cores x {profile.Wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
               $"({(available > 0 ? total / available * 100 : 0).ToString("0", CultureInfo.InvariantCulture)}%; the rest went to other processes or idle)";
    }

    /// <summary>Finds the resources' processes. One that started during the run counts from 0; one that was there
    /// before (at the start, or one this profile did not see then) counts from the figure it has now.</summary>
    private void Discover(bool atStart)
    {
        if (_pids is null)
        {
            return;
        }

        foreach (var resource in _resources)
        {
            foreach (var pid in _pids(resource).SelectMany(ProcessTree.Of).Distinct())
            {
                if (ProcessTree.StartedSeconds(pid) is not { } started)
                {
                    continue;
                }

                var cpu = ProcessTree.CpuSeconds(pid);
                lock (_gate)
                {
                    if (_seen.TryGetValue((pid, started), out var seen))
                    {
                        seen.Last = Math.Max(seen.Last, cpu);
                    }
                    else
                    {
                        var bornDuringRun = !atStart && started >= _startedSinceBoot;
                        _seen[(pid, started)] = new Seen(resource, bornDuringRun ? 0 : cpu) { Last = cpu };
                    }
                }
            }
        }
    }

    /// <summary>Stops the sampling (<see cref="Stop"/> does it too).</summary>
    public void Dispose() => _sampler?.Dispose();

    private void Tick()
    {
        Sample();
        if (Samples % DiscoverEvery == 0)
        {
            Discover(atStart: false);
        }
    }

    /// <summary>Reads the known processes' CPU; a process that is gone (or whose id now belongs to another) keeps its last figure.</summary>
    private void Sample()
    {
        KeyValuePair<(int Pid, double Started), Seen>[] known;
        lock (_gate)
        {
            known = [.. _seen];
        }

        foreach (var ((pid, started), seen) in known)
        {
            var cpu = ProcessTree.CpuSeconds(pid);
            if (ProcessTree.StartedSeconds(pid) == started)
            {
                lock (_gate)
                {
                    seen.Last = Math.Max(seen.Last, cpu);
                }
            }
        }

        Interlocked.Increment(ref _samples);
    }
}

/// <summary>CPU seconds per resource (and the runner) over a profile's wall time.</summary>
public sealed record CpuUsage(IReadOnlyList<(string Resource, double CpuSeconds)> Usage, TimeSpan Wall);

/// <summary>
/// A profile that the code being measured starts and stops around its own timed part (a raw baseline, after its
/// connections and before its output check): pass <see cref="Begin"/> as its hook; <see cref="Usage"/> holds the
/// figures once it has stopped.
/// </summary>
public sealed class CpuWindow(LabConnections lab, params string[] resources)
{
    public CpuUsage? Usage { get; private set; }

    /// <summary>Starts the profile; the action returned stops it.</summary>
    public Action Begin()
    {
        var profile = CpuProfile.Start(lab, resources);
        return () => Usage = profile.Stop();
    }
}
