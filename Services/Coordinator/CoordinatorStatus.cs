using System.Collections.Immutable;

namespace QueueLab.Coordinator;

/// <summary>This replica's role and, while leader, the assignment it last wrote (for telemetry and <c>GET /leader</c>).</summary>
public sealed class CoordinatorStatus
{
    private volatile State _state = new(CoordinatorRole.Starting, 0, 0, ImmutableSortedDictionary<string, ImmutableSortedSet<string>>.Empty);

    public CoordinatorRole Role => _state.Role;

    /// <summary>The leader term (leader key create revision) while leader, else 0.</summary>
    public long Term => _state.Term;

    public long Generation => _state.Generation;

    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> Assignments => _state.Assignments;

    public void Standby() => _state = new(CoordinatorRole.Standby, 0, 0, ImmutableSortedDictionary<string, ImmutableSortedSet<string>>.Empty);

    public void Leading(long term) => _state = _state with { Role = CoordinatorRole.Leader, Term = term };

    public void Assigned(long generation, ImmutableSortedDictionary<string, ImmutableSortedSet<string>> assignments) =>
        _state = _state with { Generation = generation, Assignments = assignments };

    private sealed record State(
        CoordinatorRole Role, long Term, long Generation, ImmutableSortedDictionary<string, ImmutableSortedSet<string>> Assignments);
}
