using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QueueLab.Lab.Faults.Servers;

/// <summary>
/// Asks a Redis Sentinel where the primary it watches is: <c>AUTH</c>, then <c>SENTINEL get-master-addr-by-name</c>, over a
/// plain socket. A connection of the Redis client library first sends a dozen handshake commands, several of which a Sentinel
/// refuses, and took up to seconds to open against a Sentinel; a failover is timed by asking every 50 ms.
/// </summary>
public static class SentinelQuery
{
    /// <summary>The primary's address as this Sentinel knows it; null when it does not answer in <paramref name="timeout"/>,
    /// refuses, or watches no service of that name.</summary>
    public static async Task<IPEndPoint?> PrimaryAsync(
        string host, int port, string? password, string service, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            var request = new StringBuilder();
            if (!string.IsNullOrEmpty(password))
            {
                Command(request, "AUTH", password);
            }

            Command(request, "SENTINEL", "get-master-addr-by-name", service);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), deadline.Token).ConfigureAwait(false);

            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!string.IsNullOrEmpty(password) && await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false) is not "+OK")
            {
                return null;
            }

            // *2, $n, host, $n, port; or *-1 (no such service) or -ERR.
            if (await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false) is not "*2")
            {
                return null;
            }

            await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            var address = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            var primaryPort = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            return IPAddress.TryParse(address, out var ip) && int.TryParse(primaryPort, CultureInfo.InvariantCulture, out var p) ? new IPEndPoint(ip, p) : null;
        }
        catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static void Command(StringBuilder request, params string[] words)
    {
        request.Append(CultureInfo.InvariantCulture, $"*{words.Length}\r\n");
        foreach (var word in words)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n");
        }
    }
}
