namespace QueueLab.Coordination;

/// <summary>What a consumer reports once it applied an assignment, <c>{root}applied/{consumer}</c>.</summary>
public sealed record AppliedDocument(long Generation, IReadOnlyList<string> Queues, long AppliedAt);
