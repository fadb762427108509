using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.Rabbit;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>Pipeline A's shape for a run: the phase and the consumer replicas (3 queues: direct, topic, fanout).</summary>
public sealed record RabbitSettings(int Phase, int Consumers, int ConfirmWindow)
{
    public static RabbitSettings From(SuiteOptions options)
    {
        var phase = options.Phase ?? 2;
        if (phase is not (1 or 2 or 3))
        {
            throw new Cli.UsageException($"--phase is {phase}; use 1 (no dedup), 2 (Redis + PostgreSQL dedup) or 3 (phase 2 + etcd allocation).");
        }

        return new RabbitSettings(phase, options.Consumers ?? 3, options.ConfirmWindow);
    }

    /// <summary>Exactly once from phase 2 on (phase 3 is phase 2's dedup plus etcd allocation); at least once in phase 1.</summary>
    public bool Deduplicates => Phase >= 2;

    public LabProfile Profile() => new(
        ["QueueLab:Pipelines=rabbit", $"QueueLab:Phase={Phase}", $"QueueLab:Rabbit:Consumers={Consumers}"],
        Phase == 3
            ? [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.Etcd, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Coordinator, ResourceNames.Consumer]
            : [ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.SchemaManager, ResourceNames.Publisher, ResourceNames.Consumer],
        [ResourceNames.Messaging, ResourceNames.Database]);

    /// <summary>
    /// The consumers a lab this suite started has on each default queue once it is ready, and in all: in phases 1 and
    /// 2 every consumer consumes every queue; in phase 3 the coordinator gives each queue at least one and spreads the
    /// rest by priority (one queue each when there are at least as many consumers as queues, several otherwise).
    /// </summary>
    /// <summary>What a run waits for on <paramref name="lab"/>: as <see cref="ReadyConsumers(int)"/> for the consumers running
    /// now (<see cref="LabConnections.ReadyTarget"/>), or one per queue when the lab's shape is unknown.</summary>
    public (int PerQueue, int Total) ReadyConsumers(LabConnections lab, int queues) =>
        lab.KnowsShape ? (this with { Consumers = lab.ReadyTarget(ResourceNames.Consumer, Consumers) }).ReadyConsumers(queues) : (1, queues);

    public (int PerQueue, int Total) ReadyConsumers(int queues) =>
        Phase == 3 ? (1, Math.Max(Consumers, queues)) : (Consumers, Consumers * queues);

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
