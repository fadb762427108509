using System.Collections.Concurrent;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace QueueLab.Lab.Resources;

/// <summary>
/// Follows the console logs of some resource instances (across their restarts) and keeps the newest lines, each with
/// the time it arrived: what a failed chaos run shows of what those services said. Aspire streams a resource's logs
/// only while someone watches them, so the tail watches from the moment it is created.
/// </summary>
public sealed class ResourceLogTail : IAsyncDisposable
{
    private readonly ConcurrentQueue<(DateTimeOffset At, string Instance, string Line)> _lines = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _watching;
    private readonly int _capacity;

    public ResourceLogTail(ResourceLoggerService logs, IEnumerable<string> instanceIds, int capacity = 4000)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _capacity = capacity;
        _watching = [.. instanceIds.Select(id => WatchAsync(logs, id, _stopping.Token))];
    }

    private async Task WatchAsync(ResourceLoggerService logs, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(instanceId).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                foreach (var line in batch)
                {
                    _lines.Enqueue((DateTimeOffset.UtcNow, instanceId, line.Content));
                    while (_lines.Count > _capacity && _lines.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>The lines that arrived since <paramref name="from"/>, oldest first, each as "time instance: line".</summary>
    public IReadOnlyList<string> Since(DateTimeOffset from) =>
        [.. _lines.Where(l => l.At >= from)
            .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.At:HH:mm:ss.fff} {l.Instance}: {l.Line}"))];

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_watching).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
