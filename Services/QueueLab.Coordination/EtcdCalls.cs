using Microsoft.Extensions.Options;

namespace QueueLab.Coordination;

/// <summary>Deadlines and retry delays for etcd calls, from <see cref="CoordinationOptions"/>.</summary>
public sealed class EtcdCalls(IOptions<CoordinationOptions> options, TimeProvider time)
{
    public CoordinationOptions Options { get; } = options.Value;

    public TimeProvider Time => time;

    /// <summary>The gRPC deadline of a request started now.</summary>
    public DateTime Deadline() => DateTime.UtcNow + Options.RequestTimeout;

    /// <summary>Exponential backoff from 100 ms up to <see cref="CoordinationOptions.MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(Options.MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 10))));

    public long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
