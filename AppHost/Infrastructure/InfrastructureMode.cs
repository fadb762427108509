namespace QueueLab.AppHost.Infrastructure;

/// <summary>How the lab runs its servers: the setting <c>QueueLab:Infrastructure</c>.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, local server processes otherwise.</summary>
    Auto,

    /// <summary>The Aspire hosting integrations (and an etcd container).</summary>
    Containers,

    /// <summary>The servers from the OS packages, run as local processes.</summary>
    Local,
}
