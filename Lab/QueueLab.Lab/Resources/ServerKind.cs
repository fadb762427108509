namespace QueueLab.Lab.Resources;

/// <summary>What kind of server a resource is, so a fault that speaks a server's protocol knows which one to speak.</summary>
public enum ServerKind
{
    Redis,
    RabbitMQ,
    Postgres,
    Etcd,
}
