using System.Globalization;
using System.Net;

namespace QueueLab.Lab.Processes;

/// <summary>
/// Which process holds a connected TCP socket (Linux): the socket's inode from <c>/proc/net/tcp</c> and <c>tcp6</c> by its
/// local end, matched to the <c>socket:[inode]</c> entries of the processes' descriptors. The lab's peer proxies tell the
/// members of a cluster apart by it: every member dials every other at one advertised address, so only the dialling
/// process says whose connection it is.
/// </summary>
public static class SocketOwners
{
    /// <summary>Whether one of <paramref name="pids"/> holds the socket whose local end is <paramref name="local"/>.</summary>
    public static bool HeldBy(IPEndPoint local, IEnumerable<int> pids)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(pids);
        var inodes = InodesOf(local);
        return inodes.Count > 0 && pids.Any(pid => ListeningSockets.SocketInodes(pid).Any(inodes.Contains));
    }

    /// <summary>The inodes of the non-listening TCP sockets whose local end is <paramref name="local"/>.</summary>
    private static HashSet<long> InodesOf(IPEndPoint local)
    {
        var address = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        var inodes = new HashSet<long>();
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
                if (fields.Length < 10 || fields[3] == "0A")
                {
                    continue;
                }

                var end = fields[1].Split(':');
                if (int.Parse(end[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != local.Port)
                {
                    continue;
                }

                var owner = ListeningSockets.ParseAddress(end[0]);
                if ((owner.IsIPv4MappedToIPv6 ? owner.MapToIPv4() : owner).Equals(address)
                    && long.TryParse(fields[9], NumberStyles.Integer, CultureInfo.InvariantCulture, out var inode) && inode != 0)
                {
                    inodes.Add(inode);
                }
            }
        }

        return inodes;
    }
}
