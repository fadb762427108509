using Npgsql;
using StackExchange.Redis;

namespace QueueLab.Processor;

/// <summary>
/// Retries a call to Redis or PostgreSQL while it fails in a way that heals (a lost connection, a timeout, a server
/// that is loading, paused or failing over), with exponential backoff up to 2 s, until the processor stops. A failure
/// that retrying cannot heal (a data error, a script error) is thrown at once, so the message it concerns can be
/// dead-lettered instead of retried for ever.
/// </summary>
public static class InfrastructureRetry
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    // Server replies that mean "not now" rather than "never" (Redis error prefixes).
    private static readonly string[] TransientRedisErrors =
        ["LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "MOVED", "ASK", "NOREPLICAS", "UNBLOCKED", "NOSCRIPT"];

    public static bool IsTransient(Exception exception) => exception switch
    {
        RedisServerException server => TransientRedisErrors.Any(prefix => server.Message.StartsWith(prefix, StringComparison.Ordinal)),
        RedisCommandException => false,
        RedisException or TimeoutException => true,
        PostgresException postgres => !IsDataError(postgres),
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>PostgreSQL's classes 22 (data exception) and 23 (integrity constraint violation).</summary>
    public static bool IsDataError(PostgresException exception) =>
        exception.SqlState.StartsWith("22", StringComparison.Ordinal) || exception.SqlState.StartsWith("23", StringComparison.Ordinal);

    public static async Task RunAsync(Func<Task> action, TimeProvider time, Action<Exception, TimeSpan> onRetry, CancellationToken cancellationToken) =>
        await RunAsync(async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        }, time, onRetry, cancellationToken).ConfigureAwait(false);

    public static async Task<T> RunAsync<T>(Func<Task<T>> action, TimeProvider time, Action<Exception, TimeSpan> onRetry, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await action().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                onRetry(ex, delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
