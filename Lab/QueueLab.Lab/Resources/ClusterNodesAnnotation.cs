using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Resources;

/// <summary>On a clustered server's resource (the one services reference): its nodes, each a resource of its own. The fault
/// library reaches a cluster through whichever node answers (a RabbitMQ cluster's management API on any node).</summary>
public sealed record ClusterNodesAnnotation(IReadOnlyList<IResource> Nodes) : IResourceAnnotation;

public static class ClusterNodesExtensions
{
    /// <summary>The nodes of a clustered server (none for a single server).</summary>
    public static IReadOnlyList<IResource> ClusterNodes(this IResource server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.Annotations.OfType<ClusterNodesAnnotation>().FirstOrDefault()?.Nodes ?? [];
    }
}

/// <summary>On a node of a clustered server: the name the server itself knows it by (a RabbitMQ node's Erlang node name), so
/// that what the server reports ("queue q is led by queuelab-ab12-1@localhost") maps to a resource without parsing names.</summary>
public sealed record ClusterNodeNameAnnotation(string NodeName) : IResourceAnnotation;

/// <summary>On a RabbitMQ node: how to reach it with <c>rabbitmqctl</c> (the command, the environment that finds its epmd and
/// Erlang cookie, its node name), for faults only the node itself can make (cutting it off from its peers).</summary>
public sealed record RabbitCtlAnnotation(string Command, IReadOnlyDictionary<string, string> Environment, string NodeName) : IResourceAnnotation;
