using System.Diagnostics;
using System.Globalization;
using QueueLab.Lab.Processes;

namespace QueueLab.LoadSuites.Labs;

/// <summary>How a freshly started lab came to rest before a measured run.</summary>
/// <param name="Settled">Whether the lab's processes went below the limit before the deadline.</param>
/// <param name="Waited">From the first sample to the verdict.</param>
/// <param name="Cores">The lab's CPU use over the last window, in cores.</param>
/// <param name="Busiest">The processes that used the most CPU in the last window (command line, cores), busiest first.</param>
public sealed record SettleResult(bool Settled, TimeSpan Waited, double Cores, IReadOnlyList<(string Process, double Cores)> Busiest)
{
    public string Describe()
    {
        var cores = Cores.ToString("0.00", CultureInfo.InvariantCulture);
        var waited = Waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        return Settled
            ? $"lab at rest after {waited} s ({cores} cores over the last second)"
            : $"lab still busy after {waited} s ({cores} cores; busiest: {string.Join(", ", Busiest.Select(b => $"{b.Process} {b.Cores.ToString("0.00", CultureInfo.InvariantCulture)}"))}): the figures share the machine with its start-up";
    }
}

/// <summary>
/// Waits until a lab that was just started has finished starting: a service reports healthy long before its servers and
/// siblings stop booting (RabbitMQ's Erlang boot, each replica's JIT, the <c>dotnet run</c> launchers), and a measured
/// run that overlaps that start-up measures the start-up too. Samples the CPU of every process of the lab (the AppHost's
/// and its orchestrator's trees, from /proc) over one-second windows until a window stays under the limit, or the deadline
/// passes (then the run goes ahead and its report says the lab was still busy).
/// </summary>
public static class LabSettle
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public static async Task<SettleResult> WaitAsync(int appHostProcessId, double maxCores, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var before = Sample(appHostProcessId);
        while (true)
        {
            var windowStart = Stopwatch.GetTimestamp();
            await Task.Delay(Window, cancellationToken).ConfigureAwait(false);
            var now = Sample(appHostProcessId);
            var seconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
            // A process that appeared in the window counts from zero: all of its CPU was spent in it.
            var used = now.Select(p => (p.Key, Cores: Math.Max(0, p.Value.Cpu - (before.TryGetValue(p.Key, out var b) ? b.Cpu : 0)) / seconds)).ToList();
            var cores = used.Sum(u => u.Cores);
            var waited = Stopwatch.GetElapsedTime(started);
            if (cores <= maxCores || waited >= timeout)
            {
                var busiest = used.OrderByDescending(u => u.Cores).Take(3)
                    .Select(u => (Name(now[u.Key].Command), u.Cores)).ToList();
                return new SettleResult(cores <= maxCores, waited, cores, busiest);
            }

            before = now;
        }
    }

    private static Dictionary<int, (double Cpu, string Command)> Sample(int appHostProcessId) =>
        ProcessTree.OfAppHost(appHostProcessId).ToDictionary(pid => pid, pid => (ProcessTree.CpuSeconds(pid), ProcessTree.CommandLine(pid)));

    private static string Name(string command)
    {
        var program = command.Split(' ', 2)[0];
        return Path.GetFileName(program) is "dotnet" && command.Split(' ') is { Length: > 1 } parts
            ? $"dotnet {Path.GetFileName(parts[1] == "run" && parts.Length > 3 ? parts[3] : parts[1])}"
            : Path.GetFileName(program);
    }
}
