using System.Collections.Immutable;

namespace QueueLab.Verification;

/// <summary>
/// The one invariant checker of the load and chaos suites: compares what came out of a pipeline with what went in
/// and lists every lost, duplicated, reordered and unexpected id. One pass over each list with hash lookups, plus
/// O(n log n) for the order analysis, so 100k+ items are cheap.
/// </summary>
public static class InvariantChecker
{
    /// <summary>Checks an output against the expected input.</summary>
    /// <param name="expected">The input ids, in input order; each id once.</param>
    /// <param name="observed">The output ids, in output order, duplicates and strays included.</param>
    /// <param name="options">Ordered or unordered, and whether duplicates are tolerated.</param>
    /// <param name="skipped">
    /// Input ids expected not to come out (skipped, dead-lettered): not lost when absent, and reported when output.
    /// Each must be one of <paramref name="expected"/>.
    /// </param>
    /// <param name="comparer">How ids are compared; the default equality when null.</param>
    /// <exception cref="ArgumentException">An input id listed twice, or a skipped id that is not an input id.</exception>
    public static VerificationReport<T> Check<T>(
        IEnumerable<T> expected,
        IEnumerable<T> observed,
        VerificationOptions options,
        IEnumerable<T>? skipped = null,
        IEqualityComparer<T>? comparer = null)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == VerificationMode.OrderedPerKey)
        {
            throw new ArgumentException("Order per key needs each id's key: call CheckPerKey.", nameof(options));
        }

        var inputs = expected as IReadOnlyList<T> ?? [.. expected];
        var index = new Dictionary<T, int>(inputs.Count, comparer);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!index.TryAdd(inputs[i], i))
            {
                throw new ArgumentException(
                    $"Input id '{inputs[i]}' is listed twice (input #{index[inputs[i]]} and #{i}); input ids must be unique.",
                    nameof(expected));
            }
        }

        var isSkipped = new bool[inputs.Count];
        foreach (var id in skipped ?? [])
        {
            if (!index.TryGetValue(id, out var position))
            {
                throw new ArgumentException($"Skipped id '{id}' is not one of the input ids.", nameof(skipped));
            }

            isSkipped[position] = true;
        }

        var counts = new int[inputs.Count];
        var firstOutput = new int[inputs.Count];
        var deliveredInOutputOrder = new List<int>();
        var unexpectedIndex = new Dictionary<T, int>(comparer);
        var unexpected = new List<UnexpectedEntry<T>>();
        var observedCount = 0;
        foreach (var id in observed)
        {
            if (index.TryGetValue(id, out var position))
            {
                if (counts[position]++ == 0)
                {
                    firstOutput[position] = observedCount;
                    if (!isSkipped[position])
                    {
                        deliveredInOutputOrder.Add(position);
                    }
                }
            }
            else if (unexpectedIndex.TryGetValue(id, out var slot))
            {
                unexpected[slot] = unexpected[slot] with { Count = unexpected[slot].Count + 1 };
            }
            else
            {
                unexpectedIndex[id] = unexpected.Count;
                unexpected.Add(new UnexpectedEntry<T>(id, 1, observedCount));
            }

            observedCount++;
        }

        var lost = ImmutableArray.CreateBuilder<T>();
        var duplicated = ImmutableArray.CreateBuilder<DuplicateEntry<T>>();
        var skippedButDelivered = ImmutableArray.CreateBuilder<T>();
        var extraDeliveries = 0;
        var skippedCount = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (isSkipped[i])
            {
                skippedCount++;
                if (counts[i] > 0)
                {
                    skippedButDelivered.Add(inputs[i]);
                }
            }
            else if (counts[i] == 0)
            {
                lost.Add(inputs[i]);
            }
            else if (counts[i] > 1)
            {
                duplicated.Add(new DuplicateEntry<T>(inputs[i], counts[i], firstOutput[i]));
                extraDeliveries += counts[i] - 1;
            }
        }

        var (reordered, orderBreaks) = options.Mode == VerificationMode.Ordered
            ? FindReordered(inputs, counts, isSkipped, firstOutput, deliveredInOutputOrder)
            : ([], 0);

        var summary = new VerificationSummary(
            Expected: inputs.Count,
            ExpectedSkipped: skippedCount,
            Observed: observedCount,
            Delivered: deliveredInOutputOrder.Count,
            Lost: lost.Count,
            Duplicated: duplicated.Count,
            ExtraDeliveries: extraDeliveries,
            Reordered: reordered.Length,
            OrderBreaks: orderBreaks,
            Unexpected: unexpected.Count,
            SkippedButDelivered: skippedButDelivered.Count);

        return new VerificationReport<T>(
            options,
            summary,
            lost.ToImmutable(),
            duplicated.ToImmutable(),
            reordered,
            [.. unexpected],
            skippedButDelivered.ToImmutable());
    }

    /// <summary>
    /// Checks an output whose order holds per key (pipeline B's per-key mode): every id exactly once, as <see cref="Check"/>,
    /// and each key's ids in their input order, while ids of different keys may interleave in any way. The reordered
    /// entries are found per key (the fewest of that key's ids out of place) and reported at their positions in the whole
    /// input and output.
    /// </summary>
    /// <param name="expected">The input ids, in input order (each key's in that key's order); each id once.</param>
    /// <param name="observed">The output ids, in output order, duplicates and strays included.</param>
    /// <param name="keyOf">The key of an id.</param>
    /// <param name="skipped">Input ids expected not to come out, as in <see cref="Check"/>.</param>
    /// <param name="allowDuplicates">At least once per key instead of exactly once.</param>
    public static VerificationReport<T> CheckPerKey<T, TKey>(
        IEnumerable<T> expected,
        IEnumerable<T> observed,
        Func<T, TKey> keyOf,
        IEnumerable<T>? skipped = null,
        bool allowDuplicates = false)
        where T : notnull
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(keyOf);
        var inputs = expected as IReadOnlyList<T> ?? [.. expected];
        var outputs = observed as IReadOnlyList<T> ?? [.. observed];
        var skips = skipped as IReadOnlyCollection<T> ?? [.. skipped ?? []];
        var overall = Check(inputs, outputs, new VerificationOptions(VerificationMode.Unordered, allowDuplicates), skips);

        // Each key's own input and output, with where each of its ids sits in the whole lists.
        var known = new HashSet<T>(inputs);
        var keyInputs = new Dictionary<TKey, (List<T> Ids, List<int> At)>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var slot = Slot(keyInputs, keyOf(inputs[i]));
            slot.Ids.Add(inputs[i]);
            slot.At.Add(i);
        }

        var keyOutputs = new Dictionary<TKey, (List<T> Ids, List<int> At)>();
        for (var i = 0; i < outputs.Count; i++)
        {
            if (known.Contains(outputs[i]))
            {
                var slot = Slot(keyOutputs, keyOf(outputs[i]));
                slot.Ids.Add(outputs[i]);
                slot.At.Add(i);
            }
        }

        var skippedSet = new HashSet<T>(skips);
        var reordered = new List<ReorderedEntry<T>>();
        var orderBreaks = 0;
        foreach (var (key, input) in keyInputs)
        {
            if (!keyOutputs.TryGetValue(key, out var output))
            {
                continue;
            }

            var report = Check(input.Ids, output.Ids, VerificationOptions.Ordered, input.Ids.Where(skippedSet.Contains));
            orderBreaks += report.Summary.OrderBreaks;
            reordered.AddRange(report.Reordered.Select(r => r with { ExpectedIndex = input.At[r.ExpectedIndex], OutputIndex = output.At[r.OutputIndex] }));
        }

        reordered.Sort((a, b) => a.OutputIndex.CompareTo(b.OutputIndex));
        return overall with
        {
            Options = new VerificationOptions(VerificationMode.OrderedPerKey, allowDuplicates),
            Summary = overall.Summary with { Reordered = reordered.Count, OrderBreaks = orderBreaks },
            Reordered = [.. reordered],
        };
    }

    private static (List<T> Ids, List<int> At) Slot<T, TKey>(Dictionary<TKey, (List<T> Ids, List<int> At)> slots, TKey key)
        where TKey : notnull
    {
        if (!slots.TryGetValue(key, out var slot))
        {
            slot = ([], []);
            slots[key] = slot;
        }

        return slot;
    }

    private static (ImmutableArray<ReorderedEntry<T>> Reordered, int OrderBreaks) FindReordered<T>(
        IReadOnlyList<T> inputs, int[] counts, bool[] isSkipped, int[] firstOutput, List<int> deliveredInOutputOrder)
    {
        // Rank of each delivered id among the delivered ids in input order: lost and skipped ids leave no gap,
        // so a loss is reported as lost, never also as a reordering.
        var rank = new int[inputs.Count];
        var next = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (counts[i] > 0 && !isSkipped[i])
            {
                rank[i] = next++;
            }
        }

        var ranks = deliveredInOutputOrder.ConvertAll(position => rank[position]);
        var inOrder = OrderAnalysis.InOrder(ranks);
        var reordered = ImmutableArray.CreateBuilder<ReorderedEntry<T>>();
        for (var k = 0; k < ranks.Count; k++)
        {
            if (!inOrder[k])
            {
                var position = deliveredInOutputOrder[k];
                reordered.Add(new ReorderedEntry<T>(inputs[position], position, firstOutput[position], k - ranks[k]));
            }
        }

        return (reordered.ToImmutable(), OrderAnalysis.Descents(ranks));
    }
}
