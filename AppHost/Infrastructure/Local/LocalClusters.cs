using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace QueueLab.AppHost.Infrastructure.Local;

/// <summary>What a clustered server's resource shares: the resource services reference, over its nodes as child resources.</summary>
internal static class LocalClusters
{
    /// <summary>
    /// Adds <paramref name="cluster"/> (waiting, of <paramref name="resourceType"/>, its nodes listed as its source) as the
    /// parent of <paramref name="nodes"/>, checked by <paramref name="probe"/>. Once every node is ready (the first time),
    /// <paramref name="formed"/> runs (a Redis Cluster shares its slots out there) and the cluster is shown running.
    /// </summary>
    public static IResourceBuilder<T> AddParent<T, TNode>(
        this IDistributedApplicationBuilder builder, T cluster, IReadOnlyList<IResourceBuilder<TNode>> nodes, string resourceType,
        Func<string, CancellationToken, Task> probe, Func<IServiceProvider, CancellationToken, Task>? formed = null)
        where T : IResourceWithConnectionString
        where TNode : IResource
    {
        var ready = 0;
        foreach (var node in nodes)
        {
            node.OnResourceReady(async (_, @event, ct) =>
            {
                if (Interlocked.Increment(ref ready) != nodes.Count)
                {
                    return;
                }

                if (formed is not null)
                {
                    await formed(@event.Services, ct).ConfigureAwait(false);
                }

                await @event.Services.GetRequiredService<ResourceNotificationService>()
                    .PublishUpdateAsync(cluster, state => state with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow })
                    .ConfigureAwait(false);
            });
        }

        var resource = builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = resourceType,
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, string.Join(", ", nodes.Select(n => n.Resource.Name)))],
            })
            .WithProbe(probe)
            .WithAnnotation(new QueueLab.Lab.Resources.ClusterNodesAnnotation([.. nodes.Select(n => (IResource)n.Resource)]));
        foreach (var node in nodes)
        {
            node.WithParentRelationship(resource.Resource);
        }

        return resource;
    }
}
