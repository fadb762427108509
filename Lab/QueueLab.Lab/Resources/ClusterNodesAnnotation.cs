using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Resources;

/// <summary>On a clustered server's resource (the one services reference): its nodes, each a resource of its own. The fault
/// library reaches a cluster through whichever node answers (a RabbitMQ cluster's management API on any node).</summary>
public sealed record ClusterNodesAnnotation(IReadOnlyList<IResource> Nodes) : IResourceAnnotation;
