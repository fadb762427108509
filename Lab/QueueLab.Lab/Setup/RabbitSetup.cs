using Microsoft.Extensions.Configuration;

namespace QueueLab.Lab.Setup;

/// <summary>
/// Pipeline A's shape as the lab starts it, read once: the phase (<c>QueueLab:Phase</c>, 3 by default: 1 no dedup, 2
/// Redis + PostgreSQL dedup, 3 phase 2 + etcd allocation), the consumer replicas (<c>QueueLab:Rabbit:Consumers</c>, 3) and
/// the coordinators (<c>QueueLab:Rabbit:Coordinators</c>, 2; phase 3 only), and the names of the work queues
/// (<c>QueueLab:Rabbit:Queues:n:Name</c>, or the seed's three).
/// </summary>
public sealed record RabbitSetup(int Phase, int Consumers, int Coordinators, IReadOnlyList<string> Queues)
{
    public const string Section = "QueueLab:Rabbit";
    public const string PhaseKey = "QueueLab:Phase";

    public static RabbitSetup Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var phase = configuration[PhaseKey] is not { } text
            ? 3
            : int.TryParse(text, out var value) && value is 1 or 2 or 3
                ? value
                : throw new InvalidOperationException($"{PhaseKey} is '{text}'; use 1 (no dedup), 2 (Redis + PostgreSQL dedup) or 3 (phase 2 + etcd allocation).");
        var queues = configuration.GetSection($"{Section}:Queues").GetChildren().Select(q => q["Name"]).OfType<string>().Where(n => n.Length > 0).ToList();
        return new RabbitSetup(phase,
            SetupValues.Int(configuration, $"{Section}:Consumers", 3, 1, 32),
            SetupValues.Int(configuration, $"{Section}:Coordinators", 2, 1, 8),
            queues.Count > 0 ? queues : [.. QueueLab.Rabbit.LabTopology.DefaultQueues.Select(q => q.Name)]);
    }

    /// <summary>Exactly once from phase 2 on; at least once in phase 1.</summary>
    public bool Deduplicates => Phase >= 2;

    public string Describe() => $"phase {Phase}, {Consumers} consumers" + (Phase == 3 ? $", {Coordinators} coordinators" : "");
}
