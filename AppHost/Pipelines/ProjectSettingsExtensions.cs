using Microsoft.Extensions.Configuration;

namespace QueueLab.AppHost.Pipelines;

public static class ProjectSettingsExtensions
{
    /// <summary>
    /// Passes every value under an AppHost configuration section to a service as environment variables under
    /// <paramref name="prefix"/> (for example <c>QueueLab:Rabbit:Consumer:Prefetch=200</c> reaches the consumers
    /// as <c>QueueLab__Consumer__Prefetch</c>), so each service is tuned from the AppHost command line.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPrefixedSettings(
        this IResourceBuilder<ProjectResource> project, IConfigurationSection settings, string prefix)
    {
        foreach (var setting in settings.AsEnumerable(makePathsRelative: true).Where(s => s.Value is not null))
        {
            project.WithEnvironment(prefix + setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value);
        }

        return project;
    }
}
