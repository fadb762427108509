using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>Follows the console log of every running replica of a resource and keeps the lines that contain a text,
/// until disposed.</summary>
internal sealed class LogWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task[] _following;

    public LogWatch(RabbitLabFixture lab, string resource, string contains)
    {
        var logs = lab.App.Services.GetRequiredService<ResourceLoggerService>();
        _following = [.. lab.Resources.Snapshots(resource).Keys.Select(id => FollowAsync(logs, id, contains))];
    }

    public IReadOnlyCollection<string> Lines => _lines;

    private async Task FollowAsync(ResourceLoggerService logs, string resourceId, string contains)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(_stop.Token))
            {
                foreach (var line in batch.Where(l => l.Content.Contains(contains, StringComparison.Ordinal)))
                {
                    _lines.Enqueue(line.Content);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_following);
        _stop.Dispose();
    }
}
