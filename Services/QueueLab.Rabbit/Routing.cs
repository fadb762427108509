namespace QueueLab.Rabbit;

/// <summary>Which queues a publish reaches, by the same rules as the broker: used to compute expected results.</summary>
public static class Routing
{
    public static IReadOnlyList<string> QueuesFor(string exchange, string routingKey, IEnumerable<QueueDefinition> queues) =>
        queues.Where(q => q.Binding.ExchangeName == exchange && Reaches(q.Binding, routingKey))
            .Select(q => q.Name)
            .ToList();

    public static bool Reaches(QueueBinding binding, string routingKey) => binding.ExchangeType switch
    {
        ExchangeTypes.Fanout => true,
        ExchangeTypes.Direct => binding.RoutingKey == routingKey,
        ExchangeTypes.Topic => TopicPattern.Matches(binding.RoutingKey, routingKey),
        _ => false,
    };
}
