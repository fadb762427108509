namespace QueueLab.Lab.Processes;

/// <summary>
/// The processes of a lab's resources found under its AppHost process and the orchestrator it started (for a lab whose
/// resource snapshots this process cannot see: one a command line started, or a running <c>./queuelab run</c> lab), by
/// what each resource runs: the service's assembly name for a project, the server's program for a server.
/// </summary>
public static class ResourceProcesses
{
    private static readonly IReadOnlyDictionary<string, string[]> Markers = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [ResourceNames.Processor] = ["QueueLab.Processor"],
        [ResourceNames.Sequencer] = ["QueueLab.Sequencer"],
        [ResourceNames.Consumer] = ["QueueLab.Consumer"],
        [ResourceNames.Publisher] = ["QueueLab.Publisher"],
        [ResourceNames.Coordinator] = ["QueueLab.Coordinator"],
        [ResourceNames.SchemaManager] = ["QueueLab.SchemaManager"],
        [ResourceNames.Cache] = ["redis-server"],
        [ResourceNames.Messaging] = ["beam.smp"],
        [ResourceNames.Postgres] = ["bin/postgres "],
        [ResourceNames.Etcd] = ["etcd --name"],
    };

    /// <summary>For a resource name, the processes under <paramref name="appHostProcessId"/> that run it.</summary>
    public static Func<string, IReadOnlyList<int>> Under(int appHostProcessId) => resource =>
    {
        if (!Markers.TryGetValue(resource, out var markers))
        {
            return [];
        }

        return [.. ProcessTree.OfAppHost(appHostProcessId).Where(pid =>
        {
            var command = ProcessTree.CommandLine(pid) + " ";
            return markers.Any(m => command.Contains(m, StringComparison.Ordinal));
        })];
    };
}
