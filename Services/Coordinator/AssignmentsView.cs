namespace QueueLab.Coordinator;

/// <summary>The body of <c>GET /assignments</c>: the generation, per-consumer assignments, and live consumers per queue.</summary>
public sealed record AssignmentsView(long Generation, IReadOnlyList<AssignmentView> Consumers, IReadOnlyDictionary<string, int> ConsumersPerQueue);
