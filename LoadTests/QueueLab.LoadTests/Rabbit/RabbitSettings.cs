using QueueLab.LoadTests.Cli;
using QueueLab.LoadTests.Labs;
using QueueLab.Messaging;

namespace QueueLab.LoadTests.Rabbit;

/// <summary>Pipeline A's shape for a run: the phase and the consumer replicas (3 queues: direct, topic, fanout).</summary>
public sealed record RabbitSettings(int Phase, int Consumers, int ConfirmWindow)
{
    public static RabbitSettings From(SuiteOptions options)
    {
        var phase = options.Phase ?? 2;
        if (phase is not (1 or 2))
        {
            throw new Cli.UsageException(phase == 3
                ? "--phase 3 (etcd allocation) is not built in pipeline A yet; use 1 or 2."
                : $"--phase is {phase}; use 1 (no dedup) or 2 (Redis + PostgreSQL dedup).");
        }

        return new RabbitSettings(phase, options.Consumers ?? 3, options.ConfirmWindow);
    }

    public LabProfile Profile() => new(
        ["QueueLab:Pipelines=rabbit", $"QueueLab:Phase={Phase}", $"QueueLab:Rabbit:Consumers={Consumers}"],
        ["messaging", "cache", "postgres", "queuelab", "schema-manager", "publisher", "consumer"],
        ["messaging", "queuelab"]);

    public string Describe() => $"phase {Phase}, {Consumers} consumers, {ConfirmWindow} confirms outstanding";

    /// <summary>Message <paramref name="index"/>'s exchange and routing key: direct, topic and fanout in turn.</summary>
    public static (string Exchange, string RoutingKey) Route(long index) => (index % 3) switch
    {
        0 => (LabTopology.DirectExchange, "orders"),
        1 => (LabTopology.TopicExchange, "orders.eu.created"),
        _ => (LabTopology.FanoutExchange, ""),
    };

    /// <summary>The queues message <paramref name="index"/> reaches (broker routing rules over the default queues).</summary>
    public static IReadOnlyList<string> QueuesFor(long index)
    {
        var (exchange, key) = Route(index);
        return Routing.QueuesFor(exchange, key, LabTopology.DefaultQueues);
    }
}
