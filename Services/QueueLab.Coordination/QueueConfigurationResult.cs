using QueueLab.Rabbit;

namespace QueueLab.Coordination;

/// <summary>The outcome of a queue configuration change: the stored queue, or the reasons it was refused.</summary>
public sealed record QueueConfigurationResult(QueueDefinition? Queue, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static QueueConfigurationResult Stored(QueueDefinition queue) => new(queue, []);

    public static QueueConfigurationResult Refused(IReadOnlyList<string> errors) => new(null, errors);
}
