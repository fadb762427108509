using System.Collections.Concurrent;

namespace QueueLab.Concurrency;

/// <summary>
/// Group commit for calls that arrive concurrently: each <see cref="SubmitAsync"/> queues one item, and one flush at
/// a time sends whatever is queued (up to <c>maxBatch</c>) in a single call, so a lone item goes at once and items
/// that arrive while a flush is in flight share the next one. Each caller gets its own item's result, or the
/// batch's exception (then it is the caller's to retry). No background task: the caller that finds no flush running
/// runs it, until the queue is empty.
/// </summary>
public sealed class MicroBatcher<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> flush, int maxBatch)
{
    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _flushing;

    public int MaxBatch { get; } = maxBatch > 0 ? maxBatch : throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "Use 1 or more.");

    public Task<TResult> SubmitAsync(TItem item)
    {
        var pending = new Pending(item);
        _queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            _ = FlushAsync();
        }

        return pending.Result.Task;
    }

    private async Task FlushAsync()
    {
        var batch = new List<Pending>(Math.Min(MaxBatch, 64));
        while (true)
        {
            while (!_queue.IsEmpty)
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    var results = await flush([.. batch.Select(p => p.Item)]).ConfigureAwait(false);
                    if (results.Count != batch.Count)
                    {
                        throw new InvalidOperationException($"The batch call returned {results.Count} results for {batch.Count} items.");
                    }

                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Result.TrySetResult(results[i]);
                    }
                }
                catch (Exception ex)
                {
                    batch.ForEach(p => p.Result.TrySetException(ex));
                }
            }

            Volatile.Write(ref _flushing, 0);

            // An item queued after the emptiness check and before the flag was cleared would wait for the next
            // caller: take the flush back unless someone else already has.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
