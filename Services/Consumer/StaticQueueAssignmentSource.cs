using System.Runtime.CompilerServices;
using QueueLab.Rabbit;

namespace QueueLab.Consumer;

/// <summary>
/// Every consumer consumes every configured queue (<c>QueueLab:Rabbit:Queues</c>; the seed's three queues when
/// none are configured). The list is validated when read; an invalid one stops the consumer with the reasons.
/// </summary>
public sealed class StaticQueueAssignmentSource(IConfiguration configuration) : IQueueAssignmentSource
{
    public const string Section = "QueueLab:Rabbit:Queues";

    public IReadOnlyList<QueueDefinition> Queues { get; } = Read(configuration);

    public async IAsyncEnumerable<IReadOnlyList<QueueDefinition>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return Queues;
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public static IReadOnlyList<QueueDefinition> Read(IConfiguration configuration)
    {
        var entries = configuration.GetSection(Section).Get<List<StaticQueueEntry>>() ?? [];
        IReadOnlyList<QueueDefinition> queues = entries.Count == 0
            ? LabTopology.DefaultQueues
            : entries.Select(e => new QueueDefinition(e.Name, e.Priority, new QueueBinding(e.ExchangeName, e.RoutingKey, e.ExchangeType))).ToList();
        var errors = QueueDefinitionValidator.ValidateAll(queues.ToList());
        return errors.Count == 0
            ? queues
            : throw new InvalidOperationException($"{Section} is invalid: {string.Join(" ", errors)}");
    }
}
