using QueueLab.Rabbit;

namespace QueueLab.Coordinator;

/// <summary>The queue configuration seeded into etcd at first start: <c>QueueLab:Rabbit:Queues</c>, else the seed's three queues.</summary>
public static class SeedQueues
{
    public const string Section = "QueueLab:Rabbit:Queues";

    public static IReadOnlyList<QueueDefinition> Read(IConfiguration configuration)
    {
        var entries = configuration.GetSection(Section).Get<List<SeedQueueEntry>>() ?? [];
        return entries.Count == 0
            ? LabTopology.DefaultQueues
            : [.. entries.Select(e => new QueueDefinition(e.Name, e.Priority, new QueueBinding(e.ExchangeName, e.RoutingKey, e.ExchangeType)))];
    }
}
