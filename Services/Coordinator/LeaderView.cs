namespace QueueLab.Coordinator;

/// <summary>The body of <c>GET /leader</c>: the leader (from etcd), its process and term, and this replica's own role.</summary>
public sealed record LeaderView(string? Leader, int? LeaderProcessId, long Term, long? Since, string Self, CoordinatorRole Role);
