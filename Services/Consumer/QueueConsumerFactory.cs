using QueueLab.Rabbit;

namespace QueueLab.Consumer;

public sealed class QueueConsumerFactory(IServiceProvider services)
{
    public QueueConsumer Create(QueueDefinition queue) => ActivatorUtilities.CreateInstance<QueueConsumer>(services, queue);
}
