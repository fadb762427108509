using Microsoft.Extensions.Configuration;

namespace QueueLab.Lab.Setup;

/// <summary>
/// Which of the lab's two systems run: <c>QueueLab:Pipelines</c> is a comma-separated list of <c>ordering</c> (pipeline B,
/// Redis) and <c>rabbit</c> (pipeline A, RabbitMQ); both by default, <c>none</c> for the servers alone. Tests start only
/// the pipeline they exercise.
/// </summary>
public sealed record PipelineSelection(bool Ordering, bool Rabbit)
{
    public const string Key = "QueueLab:Pipelines";

    public static PipelineSelection Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new(Ordering: true, Rabbit: true);
        }

        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).ToHashSet();
        var unknown = names.Except(["ordering", "rabbit", "none"]).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"{Key} names {string.Join(", ", unknown)}; use a comma-separated list of ordering, rabbit (or none).");
        }

        return new(names.Contains("ordering"), names.Contains("rabbit"));
    }
}
