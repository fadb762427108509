namespace QueueLab.ChaosTests;

/// <summary>The node resources of the clustered topology (<c>QueueLab:Topology=cluster</c>), by the names the AppHost gives them.</summary>
public static class ClusterNodes
{
    /// <summary>etcd's three members (their member names are the resource names).</summary>
    public static readonly IReadOnlyList<string> Etcd = [.. Enumerable.Range(0, 3).Select(i => $"{ResourceNames.Etcd}-{i}")];

    /// <summary>RabbitMQ's three nodes (<c>messaging</c> is their parent, not a process).</summary>
    public static readonly IReadOnlyList<string> RabbitMQ = [.. Enumerable.Range(0, 3).Select(i => $"{ResourceNames.Messaging}-{i}")];

    /// <summary>Redis's three data nodes (one primary, two replicas at any time).</summary>
    public static readonly IReadOnlyList<string> RedisData = [.. Enumerable.Range(0, 3).Select(i => $"{ResourceNames.Cache}-{i}")];

    /// <summary>Redis's data nodes and its three Sentinels (<c>cache</c> is their parent, not a process).</summary>
    public static readonly IReadOnlyList<string> Redis = [.. RedisData, .. Enumerable.Range(0, 3).Select(i => $"{ResourceNames.Cache}-sentinel-{i}")];
}
