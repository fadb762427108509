using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QueueLab.Lab.Faults;
using QueueLab.Lab.Processes;
using QueueLab.Lab.Resources;

namespace QueueLab.Lab.Commands;

/// <summary>
/// The fault library (<see cref="LabFaults"/>, the chaos suites' own) as dashboard commands: a kill -9 of any service
/// replica, and on the servers dropping every client connection, a restart on the same data (graceful or kill -9), and
/// pausing Redis's clients for N seconds. One fault per target at a time.
/// </summary>
public static class FaultCommands
{
    public const string Crash = "crash";
    public const string DropConnections = "drop-connections";
    public const string RestartServer = "restart-keep-data";
    public const string Pause = "pause-clients";
    public const string KillLeader = "kill-leader";

    public const string Isolate = "isolate";

    public const string Freeze = "freeze";

    public const string Heal = "heal";

    internal static void AddTo(IDistributedApplicationBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            AddCrash(builder.CreateResourceBuilder<IResource>(project), "replica");
        }

        foreach (var name in new[] { ResourceNames.Messaging, ResourceNames.Cache, ResourceNames.Postgres })
        {
            Server(builder, name)?.WithCommand(DropConnections, "Drop client connections", context => FaultAsync(context, "drop-connections", async faults =>
            {
                var result = await faults.Servers.DropConnectionsAsync(name, context.CancellationToken).ConfigureAwait(false);
                return CommandResults.Success($"{name}: {result.Detail} in {result.Took.TotalMilliseconds:0} ms; the clients reconnect on their own.");
            }), new CommandOptions
            {
                Description = "Closes every client connection of this server at once (the services must reconnect and lose nothing).",
                IconName = "PlugDisconnected",
            });
        }

        // A single server restarts as a whole; a clustered one (a Redis Cluster, an etcd cluster) node by node.
        foreach (var name in ResourceNames.Servers)
        {
            if (Server(builder, name) is not { } server)
            {
                continue;
            }

            var nodes = server.Resource.ClusterNodes();
            foreach (var target in nodes.Count > 0 ? nodes : [server.Resource])
            {
                AddRestart(builder.CreateResourceBuilder(target), nodes.Count > 0 ? "node" : "server");
            }

            foreach (var node in nodes)
            {
                AddCrash(builder.CreateResourceBuilder(node), "node");
                AddFreeze(builder.CreateResourceBuilder(node));
            }

            // A RabbitMQ cluster's nodes can be cut off from each other (the lab sets a wrong Erlang cookie for the peers on the
            // node); so can the data nodes of a Redis behind Sentinels (the peers' own user switched off on the node) and etcd's
            // members (the lab's peer proxies refuse the member's connections both ways).
            var sentinels = nodes.Any(n => n.Name.Contains("-sentinel-", StringComparison.Ordinal));
            var rabbit = server.Resource.ServerKind() == ServerKind.RabbitMQ;
            var etcd = server.Resource.ServerKind() == ServerKind.Etcd;
            foreach (var node in nodes.Where(n => rabbit || etcd || (sentinels && !n.Name.Contains("-sentinel-", StringComparison.Ordinal))))
            {
                var nodeName = node.Name;
                builder.CreateResourceBuilder(node).WithCommand(Isolate, "Isolate from peers", context => FaultAsync(context, "isolate", async faults =>
                {
                    var result = await faults.Servers.IsolateAsync(nodeName, context.CancellationToken).ConfigureAwait(false);
                    return CommandResults.Success($"{result.Detail} after {result.Took.TotalMilliseconds:0} ms. Heal ends it.");
                }), new CommandOptions
                {
                    Description = rabbit
                        ? "Cuts this node off from the other nodes (its clients stay connected): a network partition. The cluster's minority pauses itself."
                        : etcd
                        ? "Cuts this member off from the other members (its clients still reach it): a network partition. The others elect a leader among themselves; it can serve no linearizable request."
                        : "Cuts this node off from its replicas or primary and from the Sentinels (its clients stay connected and served): a network partition. An isolated primary is replaced; it refuses writes once it has no replica.",
                    ConfirmationMessage = $"Cut {nodeName} off from its peers?",
                    IconName = "PlugDisconnected",
                });
                builder.CreateResourceBuilder(node).WithCommand(Heal, "Heal", context => FaultAsync(context, "heal", async faults =>
                {
                    var result = await faults.Servers.HealAsync(nodeName, context.CancellationToken).ConfigureAwait(false);
                    return CommandResults.Success($"{result.Detail} after {result.Took.TotalMilliseconds:0} ms.");
                }), new CommandOptions
                {
                    Description = "Lets an isolated node meet its peers again and waits until the cluster is whole again.",
                    IconName = "PlugConnected",
                });
            }

            // etcd's raft leader; a Redis behind Sentinels (its nodes include Sentinels), the primary.
            var kind = server.Resource.ServerKind();
            if (nodes.Count > 0 && (kind is ServerKind.Etcd or ServerKind.RabbitMQ || sentinels))
            {
                var (node, title, how) = sentinels ? ("the primary", "Kill the primary", "the Sentinels promote a replica")
                    : kind == ServerKind.RabbitMQ ? ("the node that leads the most quorum queues", "Kill a queue leader", "each queue it led elects a leader on another node")
                    : ("the leader", "Kill the leader", "the others elect a new leader");
                server.WithCommand(KillLeader, title, context => FaultAsync(context, "kill-leader", async faults =>
                {
                    var result = await faults.Servers.KillLeaderAsync(name, context.CancellationToken).ConfigureAwait(false);
                    return CommandResults.Success($"{result.Detail}: failed over in {result.Took.TotalMilliseconds:0} ms. {result.Target} stays down: Start brings it back on its data.");
                }), new CommandOptions
                {
                    Description = $"kill -9 of {node}; {how} (the time it took is reported). The killed node stays down.",
                    ConfirmationMessage = $"Kill -9 {node} of {name}?",
                    IconName = "Flash",
                });
            }
        }

        Server(builder, ResourceNames.Cache)?.WithCommand(Pause, "Pause clients", context => FaultAsync(context, "pause", async faults =>
        {
            var seconds = CommandArguments.Int(context.Arguments, "seconds", 5, 1, 300);
            var result = await faults.Servers.PauseRedisAsync(ResourceNames.Cache, TimeSpan.FromSeconds(seconds), context.CancellationToken).ConfigureAwait(false);
            return CommandResults.Success($"{ResourceNames.Cache}: {result.Detail} (CLIENT PAUSE ALL); commands queue up and run when it ends.");
        }), new CommandOptions
        {
            Description = "CLIENT PAUSE ALL for N seconds: Redis holds every client's commands, as a stalled server would.",
            Arguments = [CommandArguments.Number("seconds", "Seconds", 5, "How long to pause (1 to 300).")],
            IconName = "Pause",
        });
    }

    private static void AddCrash(IResourceBuilder<IResource> target, string what) =>
        target.WithCommand(Crash, "Crash (kill -9)", context => FaultAsync(context, "crash", async faults =>
        {
            var replica = faults.Resources.Find(context.ResourceName);
            if (!replica.IsRunning || replica.ProcessId is not { } pid || !ProcessTree.IsAlive(pid))
            {
                return CommandResults.Failure($"{context.ResourceName} is {(replica.IsRunning ? "already dead" : replica.State ?? "not running")}; nothing to crash (Start runs it again).");
            }

            var result = await faults.Processes.KillAsync(context.ResourceName, context.CancellationToken).ConfigureAwait(false);
            // Answer once Aspire shows it down too, so the dashboard (and a second click) agree with what happened.
            var seen = await Poll.ForAsync(() => Task.FromResult(faults.Resources.Find(context.ResourceName)), r => !r.IsRunning, TimeSpan.FromMinutes(1),
                $"Aspire shows {context.ResourceName} down", TimeSpan.FromMilliseconds(200), context.CancellationToken).ConfigureAwait(false);
            return CommandResults.Success($"{result.Target} crashed: {result.Detail}; Aspire shows it {seen.State ?? "stopped"} and does not restart it: Start brings it back.");
        }),
        new CommandOptions
        {
            Description = $"kill -9 of this {what}'s process tree, no warning: what a power cut does to it. The rest of the lab must carry on.",
            IconName = "Flash",
            UpdateState = c => c.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });

    private static void AddFreeze(IResourceBuilder<IResource> target) =>
        target.WithCommand(Freeze, "Freeze (seconds)", context => FaultAsync(context, "freeze", async faults =>
        {
            var seconds = CommandArguments.Int(context.Arguments, "seconds", 5, 1, 120);
            var result = await faults.Processes.FreezeAsync(context.ResourceName, TimeSpan.FromSeconds(seconds), context.CancellationToken).ConfigureAwait(false);
            return CommandResults.Success($"{result.Target}: {result.Detail}.");
        }), new CommandOptions
        {
            Description = "SIGSTOP of this node's processes for N seconds, then SIGCONT: a node that hangs (its sockets stay open, it answers nothing) and then carries on as if no time had passed.",
            Arguments = [CommandArguments.Number("seconds", "Seconds", 5, "How long to freeze (1 to 120).")],
            IconName = "Snooze",
            UpdateState = c => c.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });

    private static void AddRestart(IResourceBuilder<IResource> target, string what) =>
        target.WithCommand(RestartServer, "Restart (keep data)", context => FaultAsync(context, "restart", async faults =>
        {
            var kind = CommandArguments.OneOf(context.Arguments, "how", "graceful", ["graceful", "kill"]);
            var result = await faults.Servers.RestartAsync(target.Resource.Name, kind == "kill" ? RestartKind.Kill : RestartKind.Graceful, context.CancellationToken).ConfigureAwait(false);
            return CommandResults.Success($"{target.Resource.Name} restarted ({result.Fault}): {result.Detail}; outage {result.Took.TotalSeconds:0.0} s.");
        }), new CommandOptions
        {
            Description = $"Stops this {what} and starts it again on the same data, then waits until it is healthy: graceful (SIGTERM) or kill -9.",
            Arguments = [CommandArguments.Choice("how", "How", ["graceful", "kill"], "graceful", "graceful: SIGTERM and a clean shutdown; kill: kill -9 of its processes.")],
            ConfirmationMessage = $"Restart {target.Resource.Name}? Its clients lose it until it is back (its data stays).",
            IconName = "ArrowClockwise",
        });

    private static IResourceBuilder<IResource>? Server(IDistributedApplicationBuilder builder, string name) =>
        builder.Resources.SingleOrDefault(r => r.Name == name) is { } resource ? builder.CreateResourceBuilder(resource) : null;

    /// <summary>One fault per target at a time; what it did goes to the target's console log too.</summary>
    private static Task<ExecuteCommandResult> FaultAsync(ExecuteCommandContext context, string fault, Func<LabFaults, Task<ExecuteCommandResult>> body) =>
        LabCommands.GuardAsync(context, $"The {fault} of {context.ResourceName}", async () =>
        {
            var services = context.Services;
            using var gate = services.GetRequiredService<CommandGates>().Enter($"fault:{context.ResourceName}",
                $"Refused: a fault on {context.ResourceName} is still being applied; wait for it to finish.");
            var result = await body(services.GetRequiredService<LabFaults>()).ConfigureAwait(false);
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(context.ResourceName);
            logger.Log(result.Success ? LogLevel.Information : LogLevel.Warning, "QueueLab fault command {Fault}: {Message}", fault, result.Message);
            return result;
        });
}
