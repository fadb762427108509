namespace QueueLab.Allocation;

/// <summary>The one order in which queues are considered: highest priority first, then ordinal name.</summary>
internal sealed class QueueOrder : IComparer<QueuePriority>
{
    public static QueueOrder Instance { get; } = new();

    public int Compare(QueuePriority? x, QueuePriority? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var byPriority = y.Priority.CompareTo(x.Priority);
        return byPriority != 0 ? byPriority : string.CompareOrdinal(x.Name, y.Name);
    }
}
