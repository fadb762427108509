namespace QueueLab.Consumer;

/// <summary>RabbitMQ queue type for the work queues and their delay and dead-letter queues.</summary>
public enum QueueType
{
    Quorum,
    Classic,
}
