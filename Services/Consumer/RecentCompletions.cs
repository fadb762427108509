using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace QueueLab.Consumer;

/// <summary>
/// A bounded local set of processing keys whose final state this process has seen stored. Only a hint that saves
/// round trips: a key not here is checked in PostgreSQL as usual.
/// </summary>
public sealed class RecentCompletions(IOptions<ConsumerOptions> options)
{
    private readonly int _capacity = options.Value.CompletionCacheSize;
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public bool Contains(string key) => _keys.ContainsKey(key);

    public void Add(string key)
    {
        if (_capacity == 0 || !_keys.TryAdd(key, 0))
        {
            return;
        }

        _order.Enqueue(key);
        while (_keys.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _keys.TryRemove(oldest, out _);
        }
    }
}
