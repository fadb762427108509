using Microsoft.Extensions.Options;
using QueueLab.Coordination;
using QueueLab.Rabbit;

namespace QueueLab.Coordinator;

public static class CoordinatorEndpoints
{
    /// <summary>
    /// <c>GET /queues</c>, <c>PUT /queues/{name}</c> (priority and/or binding; invalid: 400 with the reasons, nothing
    /// changed), <c>GET /assignments</c>, <c>GET /leader</c>. Every replica serves them; reads come from etcd.
    /// </summary>
    public static WebApplication MapCoordinatorEndpoints(this WebApplication app)
    {
        app.MapGet("/queues", async (QueueConfigurationStore store, CancellationToken ct) =>
            Results.Ok((await store.GetAllAsync(ct)).Select(QueueView.From)));

        app.MapPut("/queues/{name}", async (string name, QueueUpdate update, QueueConfigurationStore store, CancellationToken ct) =>
        {
            var existing = await store.GetAsync(name, ct);
            if (existing is null && (update.Priority is null || update.Binding is null))
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { [name] = [$"Queue '{name}' does not exist; give both a priority and a binding to create it."] },
                    title: "The queue configuration was refused; nothing changed.");
            }

            var queue = new QueueDefinition(name, update.Priority ?? existing!.Priority, update.Binding ?? existing!.Binding);
            var result = await store.SetAsync(queue, ct);
            return result.Succeeded
                ? Results.Ok(QueueView.From(result.Queue!))
                : Results.ValidationProblem(
                    new Dictionary<string, string[]> { [name] = [.. result.Errors] },
                    title: "The queue configuration was refused; nothing changed.");
        });

        app.MapGet("/assignments", async (CoordinationStateReader reader, CancellationToken ct) =>
        {
            var snapshot = await reader.ReadAsync(ct);
            var consumers = snapshot.Assignments
                .OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => new AssignmentView(a.Key, a.Value.Queues, a.Value.Generation, a.Value.UpdatedAt,
                    snapshot.Applied.TryGetValue(a.Key, out var applied) ? applied.Generation : null,
                    snapshot.Consumers.Contains(a.Key, StringComparer.Ordinal)))
                .ToList();
            var perQueue = snapshot.Queues.ToDictionary(q => q.Name, q => consumers.Count(c => c.Live && c.Queues.Contains(q.Name)), StringComparer.Ordinal);
            return Results.Ok(new AssignmentsView(snapshot.Generation, consumers, perQueue));
        });

        app.MapGet("/leader", async (LeaderElector elector, CoordinatorStatus status, IOptions<CoordinatorOptions> options, CancellationToken ct) =>
        {
            var leader = await elector.GetLeaderAsync(ct);
            return Results.Ok(new LeaderView(leader?.Leader.Id, leader?.Leader.ProcessId, leader?.Revision ?? 0, leader?.Leader.Since, options.Value.InstanceId, status.Role));
        });

        return app;
    }
}
