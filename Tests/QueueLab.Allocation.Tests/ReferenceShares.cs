using QueueLab.Allocation;

namespace QueueLab.Allocation.Tests;

/// <summary>
/// An independent statement of ARCHITECTURE.md's rule to check the library against: pins one queue at a time (the
/// smallest share below 1), recomputes, then floors plus largest remainders (ties: priority, then name).
/// </summary>
internal static class ReferenceShares
{
    public static Dictionary<string, (int Count, double Share)> Compute(IReadOnlyList<QueuePriority> queues, int consumers)
    {
        var result = new Dictionary<string, (int, double)>();
        var pool = queues.ToList();
        long left = consumers;
        while (pool.Count > 0)
        {
            long total = pool.Sum(q => (long)q.Priority);
            var smallest = pool.OrderBy(q => q.Priority).ThenBy(q => q.Name, StringComparer.Ordinal).First();
            if (left * smallest.Priority >= total)
            {
                break;
            }

            result[smallest.Name] = (1, (double)left * smallest.Priority / total);
            left--;
            pool.Remove(smallest);
        }

        if (pool.Count == 0)
        {
            return result;
        }

        long poolTotal = pool.Sum(q => (long)q.Priority);
        var floors = pool.ToDictionary(q => q.Name, q => left * q.Priority / poolTotal);
        var extra = left - floors.Values.Sum();
        var ranked = pool
            .OrderByDescending(q => left * q.Priority - floors[q.Name] * poolTotal)
            .ThenByDescending(q => q.Priority)
            .ThenBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
        for (var i = 0; i < ranked.Count; i++)
        {
            var q = ranked[i];
            result[q.Name] = ((int)floors[q.Name] + (i < extra ? 1 : 0), (double)left * q.Priority / poolTotal);
        }

        return result;
    }
}
