using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Testing;

/// <summary>The operating-system processes behind the lab's resources, read from the resource snapshots.</summary>
public static class LabProcesses
{
    public const string PidProperty = "executable.pid";

    /// <summary>The process id in a resource instance's snapshot, if it has one.</summary>
    public static int? Pid(ResourceEvent resourceEvent) =>
        resourceEvent.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var pid)
            ? pid
            : null;

    /// <summary><paramref name="pid"/> and all its descendants (from /proc).</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var result = new List<int>();
        var pending = new Stack<int>([pid]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!IsAlive(current))
            {
                continue;
            }

            result.Add(current);
            foreach (var task in SafeDirectories($"/proc/{current}/task"))
            {
                var children = SafeRead(Path.Combine(task, "children"));
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    pending.Push(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }

        return result;
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

    /// <summary>Every live process whose command line or environment mentions <paramref name="text"/> (a
    /// daemon a server spawned keeps the server's environment even when its command line says nothing).</summary>
    public static IReadOnlyList<int> Matching(string text) =>
        SafeDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => pid != Environment.ProcessId && IsAlive(pid)
                && (CommandLine(pid).Contains(text, StringComparison.Ordinal)
                    || SafeRead($"/proc/{pid}/environ").Contains(text, StringComparison.Ordinal)))
            .ToList();

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
}
