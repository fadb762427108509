namespace QueueLab.Coordinator;

/// <summary>One consumer's assignment as <c>GET /assignments</c> shows it, with the generation it reported applied.</summary>
public sealed record AssignmentView(string Consumer, IReadOnlyList<string> Queues, long Generation, long UpdatedAt, long? AppliedGeneration, bool Live);
