namespace QueueLab.Verification;

/// <summary>
/// Finds the elements out of place in a sequence of distinct input positions: the complement of one longest
/// increasing subsequence (patience sorting, O(n log n)), and the number of adjacent descents.
/// </summary>
internal static class OrderAnalysis
{
    /// <summary>Returns, for each element, whether it is part of the kept (in-order) subsequence.</summary>
    public static bool[] InOrder(IReadOnlyList<int> positions)
    {
        var n = positions.Count;
        var tails = new int[n];      // tails[k]: index of the smallest tail of an increasing run of length k + 1
        var previous = new int[n];   // predecessor in the run ending at each element
        var length = 0;
        for (var i = 0; i < n; i++)
        {
            int low = 0, high = length;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (positions[tails[mid]] < positions[i])
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            previous[i] = low > 0 ? tails[low - 1] : -1;
            tails[low] = i;
            if (low == length)
            {
                length++;
            }
        }

        var kept = new bool[n];
        for (var i = length > 0 ? tails[length - 1] : -1; i >= 0; i = previous[i])
        {
            kept[i] = true;
        }

        return kept;
    }

    public static int Descents(IReadOnlyList<int> positions)
    {
        var descents = 0;
        for (var i = 1; i < positions.Count; i++)
        {
            if (positions[i] < positions[i - 1])
            {
                descents++;
            }
        }

        return descents;
    }
}
