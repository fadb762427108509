using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using QueueLab.Lab.Processes;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab.Faults;

/// <summary>
/// Faults on the processes of resource instances, through the AppHost's own services: kill -9 of an instance's process
/// tree (its process id from the resource snapshot), and Aspire's stop and start.
/// </summary>
public sealed class ProcessFaults(LabResources resources, ResourceCommandService commands)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>kill -9 of one instance's process tree (for a project: the launcher and the service under it). Returns
    /// once every process of the tree is gone; Aspire does not restart it (use <see cref="StartAsync"/>).</summary>
    public async Task<FaultResult> KillAsync(string target, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = resources.Find(target);
        if (!replica.IsRunning || replica.ProcessId is not { } pid)
        {
            throw new InvalidOperationException(
                $"{replica.InstanceId} is {replica.State ?? "unknown"} with no process id to kill" +
                " (kill -9 needs a local process; in containers mode use restart).");
        }

        var tree = ProcessTree.Of(pid);
        ProcessTree.KillAll(tree);
        await Poll.UntilAsync(() => tree.All(p => !ProcessTree.IsAlive(p)), TimeSpan.FromSeconds(10),
            $"the processes of {replica.InstanceId} ({string.Join(", ", tree)}) are gone", TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        return new FaultResult("kill -9", replica.InstanceId, clock.Elapsed, $"killed pids {string.Join(", ", tree)}");
    }

    /// <summary>
    /// Freezes one instance's process tree for <paramref name="duration"/> (SIGSTOP, then SIGCONT): it keeps its sockets and its
    /// state but answers nothing, so its peers and clients see a node that hangs, not one that died; then it carries on from where
    /// it was, unaware of the time that passed. Returns once it is continued (also when cancelled: a node is never left frozen).
    /// </summary>
    public async Task<FaultResult> FreezeAsync(string target, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = resources.Find(target);
        if (!replica.IsRunning || replica.ProcessId is not { } pid)
        {
            throw new InvalidOperationException($"{replica.InstanceId} is {replica.State ?? "unknown"} with no process to freeze.");
        }

        var tree = ProcessTree.Of(pid);
        ProcessTree.Signal(tree, stop: true);
        try
        {
            await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ProcessTree.Signal(tree, stop: false);
        }

        return new FaultResult("freeze", replica.InstanceId, clock.Elapsed, $"pids {string.Join(", ", tree)} stopped for {duration.TotalMilliseconds:0} ms, then continued");
    }

    /// <summary>Aspire's stop of one instance (SIGTERM, graceful).</summary>
    public async Task<FaultResult> StopAsync(string target, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = resources.Find(target);
        var result = await commands.ExecuteCommandAsync(replica.InstanceId, KnownResourceCommands.StopCommand, cancellationToken).ConfigureAwait(false);
        // Aspire's stop can report a failure while the process is still shutting down (it gives up waiting for the
        // state); the stop was delivered either way, so what counts is whether the instance does stop.
        await Poll.UntilAsync(() => !resources.Current(replica).IsRunning, DefaultTimeout,
            $"{replica.InstanceId} stopped (Aspire's stop said: {(result.Success ? "ok" : result.Message)})", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        return new FaultResult("stop", replica.InstanceId, clock.Elapsed,
            result.Success ? "stopped by Aspire" : $"stopped (Aspire reported '{result.Message}' before it had)");
    }

    /// <summary>Aspire's start of a stopped (or killed) instance; returns once it runs and is healthy again.</summary>
    public async Task<FaultResult> StartAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replica = resources.Find(instanceId);
        var before = DateTime.UtcNow;
        await Poll.UntilAsync(() => !resources.Current(replica).IsRunning, DefaultTimeout,
            $"Aspire sees {replica.InstanceId} stopped", TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        var result = await commands.ExecuteCommandAsync(replica.InstanceId, KnownResourceCommands.StartCommand, cancellationToken).ConfigureAwait(false);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Aspire's start of {replica.InstanceId} failed: {result.Message}");
        }

        await resources.WaitHealthyAsync(replica, before, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return new FaultResult("start", replica.InstanceId, clock.Elapsed, "running and healthy");
    }

    /// <summary>Starts every instance of <paramref name="resourceNames"/> that is not running (after a fault, before the next).</summary>
    public async Task<IReadOnlyList<FaultResult>> StartStoppedAsync(IEnumerable<string> resourceNames, CancellationToken cancellationToken = default)
    {
        var started = new List<FaultResult>();
        foreach (var name in resourceNames)
        {
            foreach (var replica in resources.Replicas(name).Where(r => !r.IsRunning))
            {
                started.Add(await StartAsync(replica.InstanceId, cancellationToken).ConfigureAwait(false));
            }
        }

        return started;
    }
}
