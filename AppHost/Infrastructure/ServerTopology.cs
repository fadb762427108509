namespace QueueLab.AppHost.Infrastructure;

/// <summary>How many nodes each server runs as: the setting <c>QueueLab:Topology</c>.</summary>
public enum ServerTopology
{
    /// <summary>One node of each server (the default).</summary>
    Single,

    /// <summary>
    /// Servers as clusters of three local nodes, each node its own resource on the dashboard under its cluster's resource
    /// (same name and connection string name as the single server). So far etcd runs as three members; RabbitMQ and Redis
    /// still run one node each in this topology, and PostgreSQL stays one server.
    /// </summary>
    Cluster,
}
