using System.Net;

namespace QueueLab.Lab.Processes;

/// <summary>A TCP socket in LISTEN state and the process that holds it.</summary>
public sealed record ListeningSocket(int ProcessId, string Owner, IPAddress Address, int Port)
{
    /// <summary>127.0.0.0/8 or ::1 (an IPv4-mapped loopback address counts too).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address);

    public override string ToString() =>
        $"{Owner} (pid {ProcessId}, {ProcessName(ProcessId)}) on {new IPEndPoint(Address, Port)}";

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "gone";
        }
    }
}
