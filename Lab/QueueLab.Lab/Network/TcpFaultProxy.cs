using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace QueueLab.Lab.Network;

/// <summary>What a <see cref="TcpFaultProxy"/> does to the traffic it forwards.</summary>
public enum ProxyMode
{
    /// <summary>Forwards everything as it comes.</summary>
    Pass,

    /// <summary>Forwards everything, each chunk held back by the configured latency (bandwidth is not reduced).</summary>
    Delay,

    /// <summary>Accepts and keeps connections open but discards every byte both ways: a partition where packets vanish
    /// (clients see timeouts, not errors).</summary>
    Drop,

    /// <summary>Resets every connection and every new one: a partition the clients see at once.</summary>
    Cut,
}

/// <summary>
/// A small TCP proxy the AppHost puts in front of a server in chaos runs (services get the proxy's port in their
/// connection string): it forwards, delays, black-holes or cuts the traffic on command, and restores it. Listens on
/// 127.0.0.1 only.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _sync = new();
    private readonly HashSet<Link> _links = [];
    private Task _accepting = Task.CompletedTask;
    private Func<IPEndPoint, bool>? _refused;
    private long _bytes;
    private long _accepted;

    public TcpFaultProxy(string name, int listenPort, int targetPort)
    {
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        TargetPort = targetPort;
    }

    /// <summary>The server behind the proxy (the lab's resource name).</summary>
    public string Name { get; }

    public int ListenPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int TargetPort { get; }

    public ProxyMode Mode { get; private set; } = ProxyMode.Pass;

    public TimeSpan Latency { get; private set; }

    /// <summary>Bytes handed to the far side's socket, both directions; never less than what either peer has read.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytes);

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    public int OpenConnections
    {
        get
        {
            lock (_sync)
            {
                return _links.Count;
            }
        }
    }

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <summary>Holds every chunk back by <paramref name="latency"/> (each direction).</summary>
    public void Delay(TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        Latency = latency;
        Mode = ProxyMode.Delay;
    }

    /// <summary>Discards every byte from now on (connections stay open).</summary>
    public void Drop() => Mode = ProxyMode.Drop;

    /// <summary>Resets every open connection and every new one until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        Mode = ProxyMode.Cut;
        ResetAll();
    }

    /// <summary>
    /// Resets every open connection whose client end <paramref name="from"/> matches, and every new one, until
    /// <see cref="Restore"/> or a call with null: a cut of some clients only (the peers of a cluster dial each other through
    /// one address, told apart by the process that owns the dialling socket). The predicate sees the client's endpoint.
    /// </summary>
    public void Refuse(Func<IPEndPoint, bool>? from)
    {
        _refused = from;
        if (from is null)
        {
            return;
        }

        List<Link> links;
        lock (_sync)
        {
            links = [.. _links.Where(l => l.Client is { } client && from(client))];
        }

        foreach (var link in links)
        {
            link.Reset();
        }
    }

    /// <summary>Resets every open connection once; new ones are forwarded as before.</summary>
    public void ResetConnections() => ResetAll();

    /// <summary>Back to forwarding everything at once. Connections black-holed by <see cref="Drop"/> are reset: the
    /// bytes they lost cannot be replayed, so a client must not carry on with a corrupted stream.</summary>
    public void Restore()
    {
        var wasDropping = Mode == ProxyMode.Drop;
        _refused = null;
        Latency = TimeSpan.Zero;
        Mode = ProxyMode.Pass;
        if (wasDropping)
        {
            ResetAll();
        }
    }

    public override string ToString() =>
        $"{Name} proxy 127.0.0.1:{ListenPort} -> {TargetPort}: {Mode}{(Mode == ProxyMode.Delay ? $" {Latency.TotalMilliseconds:0} ms" : "")}{(_refused is null ? "" : ", refusing some clients")}, {OpenConnections} open";

    private void ResetAll()
    {
        List<Link> links;
        lock (_sync)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            link.Reset();
        }
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            Interlocked.Increment(ref _accepted);
            if (Mode == ProxyMode.Cut || (_refused is { } refused && client.RemoteEndPoint is IPEndPoint from && refused(from)))
            {
                Link.Abort(client);
                continue;
            }

            _ = RunLinkAsync(client, cancellationToken);
        }
    }

    private async Task RunLinkAsync(Socket client, CancellationToken cancellationToken)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The server is down: the client sees its connection reset, as it would without the proxy.
            Link.Abort(client);
            server.Dispose();
            return;
        }

        var link = new Link(client, server, client.RemoteEndPoint as IPEndPoint);
        lock (_sync)
        {
            _links.Add(link);
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, link.Closed);
            await Task.WhenAny(Pump(client, server, linked.Token), Pump(server, client, linked.Token)).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                _links.Remove(link);
            }

            link.Reset();
        }
    }

    /// <summary>One direction: a reader that stamps each chunk with when it may go, and a writer that sends it then.</summary>
    private async Task Pump(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var chunks = Channel.CreateBounded<(byte[] Data, int Length, long Due)>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (data, length, due) in chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var wait = TimeSpan.FromTicks(due - DateTime.UtcNow.Ticks);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                // Counted before the send: the peer can read these bytes as soon as the send hands them to the
                // kernel, and a reader that has seen them must also see them counted.
                Interlocked.Add(ref _bytes, length);
                await to.SendAsync(data.AsMemory(0, length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);

        try
        {
            while (true)
            {
                var buffer = new byte[16 * 1024];
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                switch (Mode)
                {
                    case ProxyMode.Drop:
                        continue;
                    case ProxyMode.Cut:
                        return;
                    default:
                        await chunks.Writer.WriteAsync((buffer, read, DateTime.UtcNow.Ticks + Latency.Ticks), cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // The link is closing.
        }
        finally
        {
            chunks.Writer.TryComplete();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The other side went away first.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        ResetAll();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Link(Socket client, Socket server, IPEndPoint? clientEndPoint)
    {
        private readonly CancellationTokenSource _closed = new();
        private int _reset;

        /// <summary>The client's end of the connection (its address and port).</summary>
        public IPEndPoint? Client => clientEndPoint;

        public CancellationToken Closed => _closed.Token;

        public void Reset()
        {
            if (Interlocked.Exchange(ref _reset, 1) == 1)
            {
                return;
            }

            _closed.Cancel();
            Abort(client);
            Abort(server);
        }

        public static void Abort(Socket socket)
        {
            try
            {
                // Linger 0: close with a reset, the way a cut network or a dead peer shows.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
            }
        }
    }
}
