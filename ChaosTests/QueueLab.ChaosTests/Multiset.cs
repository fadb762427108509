namespace QueueLab.ChaosTests;

/// <summary>Lists compared as multisets: what one holds that the other does not, counting repeats.</summary>
public static class Multiset
{
    public static List<T> Subtract<T>(IEnumerable<T> from, IEnumerable<T> take)
    {
        var left = from.ToList();
        foreach (var item in take)
        {
            left.Remove(item);
        }

        return left;
    }
}
