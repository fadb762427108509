using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace QueueLab.AppHost.Tests;

/// <summary>
/// The AppHost's model built with some settings but not started (nothing runs), in a temporary state folder deleted
/// afterwards: what a set-up would start, or the error it fails with.
/// </summary>
internal static class ModelBuild
{
    /// <summary>Builds the model with <paramref name="args"/> and hands the built app to <paramref name="inspect"/>.</summary>
    public static async Task<T> InspectAsync<T>(string[] args, Func<DistributedApplication, Task<T>> inspect, CancellationToken cancellationToken)
    {
        var state = Path.Combine(Path.GetTempPath(), "queuelab-test-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QueueLab_AppHost>(
                [$"QueueLab:StateDir={state}", .. args], cancellationToken);
            await using var app = await builder.BuildAsync(cancellationToken);
            return await inspect(app);
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    /// <summary>Builds the model with <paramref name="args"/>; for set-ups that must fail.</summary>
    public static Task BuildAsync(string[] args, CancellationToken cancellationToken) =>
        InspectAsync(args, _ => Task.FromResult(0), cancellationToken);

    /// <summary>The model's resources.</summary>
    public static IReadOnlyList<IResource> Resources(DistributedApplication app) =>
        [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources];

    /// <summary>An error's message and every inner one's, joined: what a user reads.</summary>
    public static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }
}
