namespace QueueLab.Lab;

/// <summary>The names of the lab's resources, as the AppHost adds them and the dashboard shows them: one place for all.</summary>
public static class ResourceNames
{
    // Servers (and their connection string names).
    public const string Messaging = "messaging";
    public const string Cache = "cache";
    public const string Postgres = "postgres";
    public const string Database = "queuelab";
    public const string Etcd = "etcd";

    // Pipeline B (Redis, exact order).
    public const string Processor = "processor";
    public const string Sequencer = "sequencer";

    // Pipeline A (RabbitMQ).
    public const string SchemaManager = "schema-manager";
    public const string Publisher = "publisher";
    public const string Consumer = "consumer";
    public const string Coordinator = "coordinator";

    // The pipeline resources that hold each pipeline's services and commands on the dashboard.
    public const string OrderingPipeline = "ordering";
    public const string RabbitPipeline = "rabbit";

    /// <summary>The lab's four servers (a lab starts those its pipelines use: <see cref="Setup.LabSetup.Servers"/>).</summary>
    public static IReadOnlyList<string> Servers { get; } = [Messaging, Cache, Postgres, Etcd];
}
