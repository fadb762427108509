namespace QueueLab.Coordinator;

/// <summary>One queue as written in configuration (<c>QueueLab:Rabbit:Queues:n:*</c>), the consumers' format.</summary>
public sealed class SeedQueueEntry
{
    public string Name { get; set; } = "";

    public int Priority { get; set; } = 1;

    public string ExchangeName { get; set; } = "";

    public string RoutingKey { get; set; } = "";

    public string ExchangeType { get; set; } = "";
}
