namespace QueueLab.Consumer;

/// <summary>One queue as written in configuration (<c>QueueLab:Rabbit:Queues:n:*</c>).</summary>
public sealed class StaticQueueEntry
{
    public string Name { get; set; } = "";

    public int Priority { get; set; } = 1;

    public string ExchangeName { get; set; } = "";

    public string RoutingKey { get; set; } = "";

    public string ExchangeType { get; set; } = "";
}
