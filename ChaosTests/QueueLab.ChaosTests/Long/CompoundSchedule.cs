namespace QueueLab.ChaosTests.Long;

/// <summary>One fault of an iteration's schedule, and how long after the first one it starts.</summary>
public sealed record ScheduledFault(string Name, string Target, TimeSpan After)
{
    public override string ToString() => After == TimeSpan.Zero ? Name : $"{Name} +{After.TotalMilliseconds:0} ms";
}

/// <summary>
/// The faults of one long-profile iteration: one fault alone, two at once, or a second one while the first is still being
/// recovered from (it starts 0.3 to 2 s after the first), each drawn from the pipeline's fault library; the two faults
/// of a compound schedule hit different parts of the lab. Drawn from one seeded generator for the whole profile: the
/// same seed draws the same schedules.
/// </summary>
public sealed record CompoundSchedule(string Shape, IReadOnlyList<ScheduledFault> Faults)
{
    public const string Single = "single";
    public const string Together = "two at once";
    public const string DuringRecovery = "second during recovery";

    public override string ToString() => $"{Shape}: {string.Join(" + ", Faults)}";

    /// <summary>
    /// Injects the schedule's faults into <paramref name="lab"/>, each at its offset, all at once: <paramref name="applied"/>
    /// gets each one that took effect (what it did, when it began); one whose target the other fault took away (a leader
    /// that is gone, a server that is down) is returned as not applied, with why.
    /// </summary>
    public async Task<IReadOnlyList<FaultOutcome>> ApplyAsync<TLab>(IReadOnlyList<FaultSpec<TLab>> library, TLab lab, Action<string, DateTimeOffset> applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        var byName = library.ToDictionary(f => f.Name);
        var notApplied = new System.Collections.Concurrent.ConcurrentBag<FaultOutcome>();
        await Task.WhenAll(Faults.Select(async f =>
        {
            if (f.After > TimeSpan.Zero)
            {
                await Task.Delay(f.After).ConfigureAwait(false); // the schedule's own offset, not a wait for a condition
            }

            var at = DateTimeOffset.UtcNow;
            try
            {
                applied($"{f.Name}: {await byName[f.Name].Inject(lab).ConfigureAwait(false)}", at);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException
                                           or StackExchange.Redis.RedisException or HttpRequestException)
            {
                notApplied.Add(new FaultOutcome(f.Name, Shape, Applied: false, ex.Message, null));
            }
        })).ConfigureAwait(false);
        return [.. notApplied];
    }

    public static IReadOnlyList<CompoundSchedule> Draw<TLab>(int seed, int count, IReadOnlyList<FaultSpec<TLab>> library)
    {
        ArgumentNullException.ThrowIfNull(library);
        var random = new Random(seed);
        var schedules = new List<CompoundSchedule>(count);
        for (var i = 0; i < count; i++)
        {
            var first = library[random.Next(library.Count)];
            var roll = random.Next(4);
            var others = library.Where(f => f.Target != first.Target).ToList();
            if (roll < 2 || others.Count == 0)
            {
                schedules.Add(new CompoundSchedule(Single, [new ScheduledFault(first.Name, first.Target, TimeSpan.Zero)]));
                continue;
            }

            var second = others[random.Next(others.Count)];
            var after = roll == 2 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(300 + random.Next(1700));
            schedules.Add(new CompoundSchedule(roll == 2 ? Together : DuringRecovery,
                [new ScheduledFault(first.Name, first.Target, TimeSpan.Zero), new ScheduledFault(second.Name, second.Target, after)]));
        }

        return schedules;
    }
}
