namespace QueueLab.Lab.Network;

/// <summary>
/// The TCP fault proxies of a lab, by the name of the server behind each (<c>cache</c>, <c>messaging</c>,
/// <c>postgres</c>, <c>etcd</c>). The AppHost registers one instance as a singleton when a chaos run asks for proxies
/// (<c>QueueLab:Chaos:Proxies</c>); tests and the dashboard's commands take it from the AppHost's services.
/// </summary>
public sealed class FaultProxies : IAsyncDisposable
{
    private readonly Dictionary<string, TcpFaultProxy> _proxies = new(StringComparer.OrdinalIgnoreCase);
    private bool _started;

    public IReadOnlyCollection<TcpFaultProxy> All => _proxies.Values;

    /// <summary>The name of the proxy in front of a cluster member's peer port (etcd's members reach each other through the
    /// lab, always: that is how one is cut off from the others).</summary>
    public static string PeersOf(string member) => member + " peers";

    /// <summary>Adds a proxy for <paramref name="server"/> (started with the others by <see cref="Start"/>).</summary>
    public TcpFaultProxy Add(string server, int listenPort, int targetPort)
    {
        if (_started)
        {
            throw new InvalidOperationException("The fault proxies have started; add every proxy before the lab starts.");
        }

        var proxy = new TcpFaultProxy(server, listenPort, targetPort);
        _proxies.Add(server, proxy);
        return proxy;
    }

    public bool TryGet(string server, out TcpFaultProxy proxy) => _proxies.TryGetValue(server, out proxy!);

    public TcpFaultProxy this[string server] => _proxies.TryGetValue(server, out var proxy)
        ? proxy
        : throw new InvalidOperationException(
            $"No fault proxy in front of '{server}'. Start the lab with QueueLab:Chaos:Proxies={server} (a comma-separated list of " +
            $"servers; proxies now: {(_proxies.Count == 0 ? "none" : string.Join(", ", _proxies.Keys))}).");

    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        foreach (var proxy in _proxies.Values)
        {
            proxy.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        _proxies.Clear();
    }
}
