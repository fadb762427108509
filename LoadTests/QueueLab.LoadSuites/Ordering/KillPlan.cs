using System.Diagnostics;
using QueueLab.Lab.Processes;
using QueueLab.LoadSuites.Cli;
using QueueLab.LoadSuites.Labs;
using QueueLab.LoadSuites.Suites;

namespace QueueLab.LoadSuites.Ordering;

/// <summary>Which of pipeline B's processes a run kills.</summary>
public enum KillTarget
{
    /// <summary>The sequencer that holds partition 0's lock (and so every partition it leads).</summary>
    Leader,

    /// <summary>One processor replica (the first by instance id).</summary>
    Processor,
}

/// <summary>
/// A kill -9 during an ordered run (<c>--kill leader@1s</c>): <see cref="After"/> the run's first push, the process tree of
/// one replica (the launcher and the service under it), found among the lab's processes by the
/// <c>service.instance.id</c> Aspire gave it, which is also the first part of a sequencer's lock token. The run goes on
/// with the replicas left (nothing restarts the killed one) and is checked as always: the figure is what the kill cost
/// the output (its longest gap) and, for the leader, how long until another sequencer held the lock.
/// </summary>
public sealed record KillPlan(KillTarget Target, TimeSpan After)
{
    public static KillPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var target = (at > 0 ? text[..at].Trim().ToLowerInvariant() : "") switch
        {
            "leader" => KillTarget.Leader,
            "processor" => KillTarget.Processor,
            _ => throw new UsageException($"--kill is '{text}': use leader@D or processor@D, e.g. leader@1s."),
        };
        return new KillPlan(target, ArgumentParser.Duration("--kill", text[(at + 1)..]));
    }

    public string Describe() => $"kill -9 of {(Target == KillTarget.Leader ? "the sequencer leader (partition 0's lock)" : "a processor")} {Fmt.Seconds(After)} after the first push";

    /// <summary>
    /// Waits until <see cref="After"/> past <paramref name="firstPush"/> (a stopwatch timestamp, 0 until the run pushes),
    /// kills, and for the leader polls the lock until another sequencer holds it (up to 30 s). A failure to find the process
    /// is reported in the outcome, not thrown: the run's own result stays whole.
    /// </summary>
    public async Task<KillOutcome> RunAsync(LabConnections lab, OrderingProbe client, Func<long> firstPush, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(firstPush);
        await Poll.UntilAsync(() => firstPush() != 0, TimeSpan.FromMinutes(5), "the run's first push", TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        var wait = After - Stopwatch.GetElapsedTime(firstPush());
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        var resource = Target == KillTarget.Leader ? ResourceNames.Sequencer : ResourceNames.Processor;
        var instances = Instances(lab, resource);
        string? instance;
        if (Target == KillTarget.Leader)
        {
            instance = await client.LeaderAsync(0).ConfigureAwait(false);
        }
        else
        {
            instance = instances.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
        }

        if (instance is null || !instances.TryGetValue(instance, out var pids))
        {
            return new KillOutcome(instance ?? "?", [], 0, null,
                $"no process of {resource} {instance ?? "(none holds the lock)"} among {instances.Count} found ({string.Join(", ", instances.Keys)})");
        }

        ProcessTree.KillAll(pids);
        var killedAt = Stopwatch.GetTimestamp();
        TimeSpan? moved = null;
        if (Target == KillTarget.Leader)
        {
            try
            {
                await Poll.UntilAsync(async () => await client.LeaderAsync(0).ConfigureAwait(false) is { } now && now != instance,
                    TimeSpan.FromSeconds(30), "another sequencer holds partition 0's lock", TimeSpan.FromMilliseconds(10), CancellationToken.None).ConfigureAwait(false);
                moved = Stopwatch.GetElapsedTime(killedAt);
            }
            catch (TimeoutException)
            {
                // Reported as "not within 30 s"; the run's check says what it cost.
            }
        }

        return new KillOutcome(instance, pids, killedAt, moved, null);
    }

    /// <summary>The processes of a resource's replicas (with their descendants) by the instance id each was started with.</summary>
    private static Dictionary<string, IReadOnlyList<int>> Instances(LabConnections lab, string resource)
    {
        var ids = lab.ProcessIds ?? throw new InvalidOperationException(
            "--kill needs a lab whose processes the run can find: one it starts (--apphost, as ./queuelab bench does) or the running ./queuelab lab of this machine.");
        return ids(resource)
            .SelectMany(ProcessTree.Of)
            .Distinct()
            .Select(pid => (Pid: pid, Instance: ProcessTree.ServiceInstanceId(pid)))
            .Where(p => p.Instance is not null)
            .GroupBy(p => p.Instance!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<int>)[.. g.Select(p => p.Pid)], StringComparer.Ordinal);
    }
}

/// <summary>What a run's kill did: the instance and its processes, when (a stopwatch timestamp; 0 when nothing was
/// killed), how long until another sequencer held the lock (leader kills), or why nothing was killed.</summary>
public sealed record KillOutcome(string Instance, IReadOnlyList<int> Pids, long KilledAt, TimeSpan? LockMoved, string? Error);
