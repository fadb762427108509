using QueueLab.Lab.Network;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab.Faults;

/// <summary>
/// The fault library, by kind: processes (kill -9, stop, start), servers (restart on the same data, dropped
/// connections, a paused Redis) and the network (the TCP fault proxies in front of servers, when the lab has them). The
/// chaos suites and the dashboard's commands use the same instance, from the AppHost's services.
/// </summary>
public sealed class LabFaults(LabResources resources, ProcessFaults processes, ServerFaults servers, FaultProxies proxies)
{
    public LabResources Resources => resources;

    public ProcessFaults Processes => processes;

    public ServerFaults Servers => servers;

    /// <summary>The lab's TCP fault proxies (empty when it was started without any).</summary>
    public FaultProxies Proxies => proxies;
}
