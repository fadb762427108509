namespace QueueLab.Rabbit;

/// <summary>How a queue is bound: the exchange, its type and the routing key (a pattern for topic exchanges).</summary>
public sealed record QueueBinding(string ExchangeName, string RoutingKey, string ExchangeType);
