using System.Diagnostics;
using System.Globalization;

namespace QueueLab.Lab.Processes;

/// <summary>Processes and their descendants, read from /proc (Linux).</summary>
public static class ProcessTree
{
    /// <summary><paramref name="pid"/> and all its live descendants.</summary>
    public static IReadOnlyList<int> Of(int pid)
    {
        var result = new List<int>();
        var pending = new Stack<int>([pid]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!IsAlive(current) || result.Contains(current))
            {
                continue;
            }

            result.Add(current);
            foreach (var task in SafeDirectories($"/proc/{current}/task"))
            {
                foreach (var child in SafeRead(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    pending.Push(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }

        return result;
    }

    /// <summary>An AppHost's processes: its own tree and its orchestrator's (<see cref="Orchestrator"/>), which runs the
    /// servers and services; the AppHost's own tree alone misses every resource.</summary>
    public static IReadOnlyList<int> OfAppHost(int appHostPid) => [.. Of(appHostPid).Concat(Orchestrator(appHostPid)).Distinct()];

    /// <summary>SIGKILL to every process of the list (children first are not needed: none gets to react).</summary>
    public static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>SIGSTOP (<paramref name="stop"/>) or SIGCONT to every process of the list: stopped, a process keeps its sockets
    /// and memory but runs no instruction, answers nothing and notices nothing until it is continued.</summary>
    public static void Signal(IEnumerable<int> pids, bool stop)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Freezing a process sends SIGSTOP, which the lab sends on Linux only.");
        }

        foreach (var pid in pids)
        {
            // Linux x64 and arm64: SIGSTOP 19, SIGCONT 18. A process already gone answers ESRCH: nothing to do.
            _ = NativeMethods.Kill(pid, stop ? 19 : 18);
        }
    }

    public static bool IsAlive(int pid)
    {
        // A zombie has exited; only its parent has not collected it yet.
        var status = SafeRead($"/proc/{pid}/stat");
        if (status.Length == 0)
        {
            return false;
        }

        var state = status[(status.LastIndexOf(')') + 2)..].FirstOrDefault();
        return state is not ('Z' or 'X');
    }

    public static string CommandLine(int pid) => SafeRead($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();

    /// <summary>Every live process whose command line or environment mentions <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> Matching(string text) =>
        SafeDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => pid != Environment.ProcessId && IsAlive(pid)
                && (CommandLine(pid).Contains(text, StringComparison.Ordinal)
                    || SafeRead($"/proc/{pid}/environ").Contains(text, StringComparison.Ordinal)))
            .ToList();

    /// <summary>The <c>service.instance.id</c> Aspire gave the replica <paramref name="pid"/> runs (in the
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c> it started with; a launcher's child inherits it), or null.</summary>
    public static string? ServiceInstanceId(int pid)
    {
        const string Variable = "OTEL_RESOURCE_ATTRIBUTES=";
        const string Attribute = "service.instance.id=";
        foreach (var entry in SafeRead($"/proc/{pid}/environ").Split('\0'))
        {
            if (!entry.StartsWith(Variable, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var pair in entry[Variable.Length..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (pair.StartsWith(Attribute, StringComparison.Ordinal) && pair.Length > Attribute.Length)
                {
                    return pair[Attribute.Length..];
                }
            }
        }

        return null;
    }

    /// <summary>CPU seconds (user + system) a process has used, 0 when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>The resident memory of one process in bytes (<c>VmRSS</c>), 0 when it is gone.</summary>
    public static long ResidentBytes(int pid)
    {
        var line = SafeRead($"/proc/{pid}/status").Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line["VmRSS:".Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : 0;
    }

    /// <summary>When a process started, in seconds since the machine booted (<c>/proc/pid/stat</c>'s start time), null when it is gone.</summary>
    public static double? StartedSeconds(int pid)
    {
        var stat = SafeRead($"/proc/{pid}/stat");
        if (stat.Length == 0)
        {
            return null;
        }

        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks / 100.0 : null;
    }

    /// <summary>Seconds since the machine booted (<c>/proc/uptime</c>), the clock of <see cref="StartedSeconds"/>; 0 if unreadable.</summary>
    public static double SecondsSinceBoot() =>
        double.TryParse(SafeRead("/proc/uptime").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The Aspire orchestrator (DCP) that process <paramref name="appHostProcessId"/> started, with its controllers and the
    /// proxies in front of the services' endpoints: the <c>dcp</c> processes that monitor it (<c>--monitor {pid}</c>) and
    /// their descendants. DCP detaches from its parent, so it is not in the AppHost's own tree.
    /// </summary>
    public static IReadOnlyList<int> Orchestrator(int appHostProcessId)
    {
        var monitored = appHostProcessId.ToString(CultureInfo.InvariantCulture);
        return [.. Matching("--monitor " + monitored)
            .Where(pid =>
            {
                var args = CommandLine(pid).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var monitor = Array.IndexOf(args, "--monitor");
                return args.Length > 0 && Path.GetFileName(args[0]) == "dcp" && monitor > 0 && args.ElementAtOrDefault(monitor + 1) == monitored;
            })
            .SelectMany(Of)
            .Distinct()];
    }
}

internal static class NativeMethods
{
    /// <summary>libc's kill(2): blittable arguments only, so no marshalling code is generated.</summary>
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project for one int-only call.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    internal static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
