namespace QueueLab.Rabbit;

/// <summary>Names of pipeline A's exchanges and of the queues derived from each work queue.</summary>
public static class LabTopology
{
    public const string DirectExchange = "queuelab.direct";
    public const string TopicExchange = "queuelab.topic";
    public const string FanoutExchange = "queuelab.fanout";

    /// <summary>Dead-letter exchange (direct): every work queue's DLQ is bound to it with the DLQ's name as key.</summary>
    public const string DeadLetterExchange = "queuelab.dlx";

    public static readonly IReadOnlyDictionary<string, string> Exchanges = new Dictionary<string, string>
    {
        [DirectExchange] = ExchangeTypes.Direct,
        [TopicExchange] = ExchangeTypes.Topic,
        [FanoutExchange] = ExchangeTypes.Fanout,
    };

    /// <summary>The seed's three queues: Q1 on the direct exchange, Q2 on the topic exchange, Q3 on the fanout.</summary>
    public static readonly IReadOnlyList<QueueDefinition> DefaultQueues =
    [
        new("queue-1", 4, new QueueBinding(DirectExchange, "orders", ExchangeTypes.Direct)),
        new("queue-2", 1, new QueueBinding(TopicExchange, "orders.*.created", ExchangeTypes.Topic)),
        new("queue-3", 1, new QueueBinding(FanoutExchange, "", ExchangeTypes.Fanout)),
    ];

    public static string DeadLetterQueue(string queue) => $"{queue}.dlq";

    /// <summary>The delay queue for retry <paramref name="attempt"/> (1-based); its TTL dead-letters back to the work queue.</summary>
    public static string RetryQueue(string queue, int attempt) => $"{queue}.retry.{attempt}";

    /// <summary>The delay queue for deliveries whose processing key another consumer holds.</summary>
    public static string HeldQueue(string queue) => $"{queue}.held";
}
