namespace QueueLab.Allocation;

/// <summary>A mutable assignment of queues to consumers with their total priority (load), used while packing.</summary>
internal sealed class PackingPlan
{
    private readonly Dictionary<string, List<QueuePriority>> _queues;
    private readonly Dictionary<string, long> _loads;

    public PackingPlan(IEnumerable<string> consumers)
    {
        Consumers = [.. consumers];
        _queues = Consumers.ToDictionary(c => c, _ => new List<QueuePriority>(), StringComparer.Ordinal);
        _loads = Consumers.ToDictionary(c => c, _ => 0L, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Consumers { get; }

    public long MaxLoad => _loads.Values.Max();

    public long MinLoad => _loads.Values.Min();

    public bool EveryConsumerUsed => _queues.Values.All(q => q.Count > 0);

    /// <summary>How far a consumer is above the least loaded one (<paramref name="minLoad"/>) once its smallest queue is taken away.</summary>
    public long Excess(string consumer, long minLoad) =>
        _queues[consumer].Count == 0 ? 0 : _loads[consumer] - _queues[consumer].Min(q => q.Priority) - minLoad;

    public long Load(string consumer) => _loads[consumer];

    public IReadOnlyList<QueuePriority> QueuesOf(string consumer) => _queues[consumer];

    public void Add(string consumer, QueuePriority queue)
    {
        _queues[consumer].Add(queue);
        _loads[consumer] += queue.Priority;
    }

    public void Move(QueuePriority queue, string from, string to)
    {
        _queues[from].Remove(queue);
        _loads[from] -= queue.Priority;
        Add(to, queue);
    }

    /// <summary>The least loaded consumer; ties: one that already had <paramref name="queue"/>, fewer queues, ordinal id.</summary>
    public string LeastLoaded(AllocationInput input, QueuePriority? queue) =>
        Consumers
            .OrderBy(c => _loads[c])
            .ThenBy(c => queue is not null && input.HadQueue(c, queue.Name) ? 0 : 1)
            .ThenBy(c => _queues[c].Count)
            .ThenBy(c => c, StringComparer.Ordinal)
            .First();

    /// <summary>How many queues are served by a consumer other than the one(s) that served them before.</summary>
    public int Moves(AllocationInput input) =>
        _queues.Sum(p => p.Value.Count(q => input.PreviousOwners.ContainsKey(q.Name) && !input.HadQueue(p.Key, q.Name)));

    public Dictionary<string, IReadOnlyList<QueuePriority>> ToAssignments() =>
        _queues.ToDictionary(p => p.Key, p => (IReadOnlyList<QueuePriority>)p.Value, StringComparer.Ordinal);
}
