namespace QueueLab.Rabbit;

/// <summary>The exchange types a queue binding may name (the AMQP type names).</summary>
public static class ExchangeTypes
{
    public const string Direct = "direct";
    public const string Topic = "topic";
    public const string Fanout = "fanout";

    public static readonly IReadOnlyList<string> All = [Direct, Topic, Fanout];

    public static bool IsKnown(string? type) => type is Direct or Topic or Fanout;

    /// <summary>Fanout ignores routing keys; direct and topic need one.</summary>
    public static bool NeedsRoutingKey(string type) => type is Direct or Topic;
}
