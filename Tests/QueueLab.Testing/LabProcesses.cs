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
}
