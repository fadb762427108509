using Aspire.Hosting.ApplicationModel;
using QueueLab.Faults;

namespace QueueLab.Testing;

/// <summary>The operating-system processes behind the lab's resources, read from the resource snapshots.</summary>
public static class LabProcesses
{
    public const string PidProperty = LabFaults.PidProperty;

    /// <summary>The process id in a resource instance's snapshot, if it has one.</summary>
    public static int? Pid(ResourceEvent resourceEvent) => LabFaults.Pid(resourceEvent);

    /// <summary><paramref name="pid"/> and all its descendants (from /proc).</summary>
    public static IReadOnlyList<int> Tree(int pid) => ProcessTree.Of(pid);

    public static bool IsAlive(int pid) => ProcessTree.IsAlive(pid);

    public static string CommandLine(int pid) => ProcessTree.CommandLine(pid);

    /// <summary>Every live process whose command line or environment mentions <paramref name="text"/> (a
    /// daemon a server spawned keeps the server's environment even when its command line says nothing).</summary>
    public static IReadOnlyList<int> Matching(string text) => ProcessTree.Matching(text);

    /// <summary>
    /// The Aspire orchestrator (DCP) this process started, with its controllers and the proxies in front of the
    /// services' endpoints: the <c>dcp</c> processes that monitor this process (<c>--monitor {pid}</c>) and their
    /// descendants. DCP detaches from its parent, so it is not in this process's own tree.
    /// </summary>
    public static IReadOnlyList<int> Orchestrator()
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return [.. ProcessTree.Matching("--monitor " + self)
            .Where(pid =>
            {
                var args = ProcessTree.CommandLine(pid).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var monitor = Array.IndexOf(args, "--monitor");
                return args.Length > 0 && Path.GetFileName(args[0]) == "dcp" && monitor > 0 && args.ElementAtOrDefault(monitor + 1) == self;
            })
            .SelectMany(ProcessTree.Of)
            .Distinct()];
    }
}
