using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace QueueLab.Lab.Processes;

/// <summary>
/// The TCP and TCP6 sockets in LISTEN state that given processes hold (Linux): every listening socket of
/// <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>, matched by inode to the <c>socket:[inode]</c> entries of
/// <c>/proc/&lt;pid&gt;/fd</c>. Whatever port or address a process chose, it shows up here.
/// </summary>
public static partial class ListeningSockets
{
    private const string Listen = "0A";

    /// <summary>Every listening socket held by a process of <paramref name="owners"/> (process id → who it is),
    /// once per holder (a socket inherited by a child is listed for both).</summary>
    public static IReadOnlyList<ListeningSocket> HeldBy(IReadOnlyDictionary<int, string> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var listening = All();
        var result = new List<ListeningSocket>();
        foreach (var (pid, owner) in owners)
        {
            foreach (var inode in SocketInodes(pid))
            {
                if (listening.TryGetValue(inode, out var endpoint))
                {
                    result.Add(new ListeningSocket(pid, owner, endpoint.Address, endpoint.Port));
                }
            }
        }

        return [.. result.Distinct().OrderBy(s => s.Owner, StringComparer.Ordinal).ThenBy(s => s.Port)];
    }

    /// <summary>Every TCP socket in LISTEN state on this machine's network namespace, by inode.</summary>
    public static IReadOnlyDictionary<long, IPEndPoint> All()
    {
        var sockets = new Dictionary<long, IPEndPoint>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != Listen)
                {
                    continue;
                }

                var local = fields[1].Split(':');
                var port = int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                sockets[long.Parse(fields[9], CultureInfo.InvariantCulture)] = new IPEndPoint(ParseAddress(local[0]), port);
            }
        }

        return sockets;
    }

    /// <summary>The kernel prints an address as 32-bit words, each in host (little-endian) byte order.</summary>
    public static IPAddress ParseAddress(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        return new IPAddress(bytes);
    }

    internal static IEnumerable<long> SocketInodes(int pid)
    {
        string[] descriptors;
        try
        {
            descriptors = Directory.GetFiles($"/proc/{pid}/fd");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var descriptor in descriptors)
        {
            string? target;
            try
            {
                target = new FileInfo(descriptor).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (target is not null && SocketLink().Match(target) is { Success: true } match)
            {
                yield return long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            }
        }
    }

    [GeneratedRegex(@"^socket:\[(\d+)\]$")]
    private static partial Regex SocketLink();
}
