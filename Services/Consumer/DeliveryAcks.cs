using QueueLab.Rabbit;
using RabbitMQ.Client;

namespace QueueLab.Consumer;

/// <summary>
/// How one delivery's handling ends it on its channel: acks go through the channel session's <see cref="AckWindow"/>
/// (several deliveries per frame when they finish together), a nack is written at once and only then leaves the window,
/// so no multiple ack can pass a delivery that is being handed back or rejected.
/// </summary>
public sealed class DeliveryAcks(IChannel channel, AckWindow window, ulong deliveryTag)
{
    public bool ChannelIsOpen => channel.IsOpen;

    /// <summary>Completes once a frame that acks the delivery is written.</summary>
    public Task AckAsync(CancellationToken cancellationToken) => window.AckAsync(deliveryTag).WaitAsync(cancellationToken);

    public async Task NackAsync(bool requeue, CancellationToken cancellationToken)
    {
        await channel.BasicNackAsync(deliveryTag, multiple: false, requeue, cancellationToken);
        window.Settled(deliveryTag);
    }
}
