using StackExchange.Redis;

namespace QueueLab.Ordering.Redis;

/// <summary>
/// A Redis connection of its own for blocking reads (<c>BLMOVE</c>, <c>XREAD BLOCK</c>). StackExchange.Redis sends
/// every other command of a process over one multiplexed connection, which a blocking command would stall, so a
/// blocking command never goes there. Connected on first use; its timeouts leave room for the longest block.
/// </summary>
public sealed class BlockingConnection(string connectionString, string clientName, TimeSpan longestBlock) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public async Task<IDatabase> DatabaseAsync()
    {
        if (Volatile.Read(ref _connection) is { } ready)
        {
            return ready.GetDatabase();
        }

        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                var options = ConfigurationOptions.Parse(connectionString);
                options.ClientName = clientName;
                options.AbortOnConnectFail = false;
                var timeout = (int)(longestBlock + TimeSpan.FromSeconds(5)).TotalMilliseconds;
                options.AsyncTimeout = Math.Max(options.AsyncTimeout, timeout);
                options.SyncTimeout = Math.Max(options.SyncTimeout, timeout);
                Volatile.Write(ref _connection, await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false));
            }

            return _connection!.GetDatabase();
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
