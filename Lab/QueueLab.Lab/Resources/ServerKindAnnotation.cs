using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Resources;

/// <summary>Marks a server resource with its <see cref="ServerKind"/> (the AppHost adds it to every server it creates,
/// local process or container), so the lab layer never guesses a server's kind from its connection string.</summary>
public sealed record ServerKindAnnotation(ServerKind Kind) : IResourceAnnotation;

public static class ServerKindExtensions
{
    public static IResourceBuilder<T> WithServerKind<T>(this IResourceBuilder<T> builder, ServerKind kind)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithAnnotation(new ServerKindAnnotation(kind), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>The kind of server <paramref name="resource"/> is, or null when it is not one of the lab's servers.</summary>
    public static ServerKind? ServerKind(this IResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Annotations.OfType<ServerKindAnnotation>().LastOrDefault()?.Kind;
    }
}
