using RabbitMQ.Client;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>
/// Publishes with publisher confirms on one channel, at most <c>window</c> confirms outstanding at once (the client's
/// own limiter off; this window is the limit). Each publish returns once the broker confirmed it.
/// </summary>
public sealed class ConfirmingPublisher : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly SemaphoreSlim _window;

    private ConfirmingPublisher(IChannel channel, int window)
    {
        _channel = channel;
        _window = new SemaphoreSlim(window, window);
    }

    public static async Task<ConfirmingPublisher> CreateAsync(IConnection connection, int window, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken).ConfigureAwait(false);
        return new ConfirmingPublisher(channel, window);
    }

    public IChannel Channel => _channel;

    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _window.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync().ConfigureAwait(false);
        _window.Dispose();
    }
}
