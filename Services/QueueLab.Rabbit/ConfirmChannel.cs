using RabbitMQ.Client;

namespace QueueLab.Rabbit;

/// <summary>
/// One channel with publisher confirms and confirm tracking (a publish completes only once the broker confirmed
/// it), opened on first use. The client's own outstanding-confirm limiter is off: callers bound their own window.
/// <para>
/// A publish waits for its confirm at most the caller's timeout: RabbitMQ.Client waits for ever otherwise, and a confirm
/// lost around a connection recovery (rabbitmq-dotnet-client#1930, still open for 7.2.2) would hold the caller, and in
/// a consumer the delivery it serves, for ever. A channel is used only in the session it was opened in: once it has shut
/// down (the broker or the network closed it, and the client may recover it in place) or a confirm timed out on it, the
/// next publish opens a new one and the old one is disposed, which fails whatever still waited on it.
/// </para>
/// </summary>
public sealed class ConfirmChannel(IConnection connection, TimeProvider? time = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Session? _current;

    /// <summary>Publishes (mandatory) and waits for the broker's confirm. Throws <see cref="TimeoutException"/> when no
    /// confirm came within <paramref name="confirmTimeout"/> (the outcome is unknown: publish again, the consumers
    /// deduplicate), <see cref="PublishException"/> on a nack or a return, and the client's own exceptions when the
    /// channel or the connection is closed.</summary>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        TimeSpan confirmTimeout, CancellationToken cancellationToken)
    {
        var session = await GetAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(confirmTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await session.Channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            session.Retire();
            throw new TimeoutException(
                $"The broker did not confirm the publish to '{exchange}' / '{routingKey}' within {confirmTimeout.TotalMilliseconds:0} ms; " +
                "its outcome is unknown, and the next publish opens a new channel.");
        }
    }

    private async Task<Session> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { Usable: true } current)
        {
            return current;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { Usable: true } again)
            {
                return again;
            }

            if (_current is { } old)
            {
                // Closing a channel waits for the broker's answer: not under the lock, and not on the caller's time.
                _current = null;
                _ = Task.Run(() => old.DisposeAsync().AsTask(), CancellationToken.None);
            }

            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(
                    publisherConfirmationsEnabled: true,
                    publisherConfirmationTrackingEnabled: true,
                    outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken).ConfigureAwait(false);
            var session = new Session(channel);
            Volatile.Write(ref _current, session);
            return session;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
        }

        _lock.Dispose();
    }

    /// <summary>A channel for as long as it has not shut down or lost a confirm.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private volatile bool _retired;

        public Session(IChannel channel)
        {
            Channel = channel;
            channel.ChannelShutdownAsync += (_, _) =>
            {
                Retire();
                return Task.CompletedTask;
            };
        }

        public IChannel Channel { get; }

        public bool Usable => !_retired && Channel.IsOpen;

        public void Retire() => _retired = true;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Channel.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // Closed already, or its connection is away: nothing left to release on the broker.
            }
        }
    }
}
