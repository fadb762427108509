namespace QueueLab.Coordination;

/// <summary>
/// Who holds a key: the value of a consumer registration (<c>{root}consumers/{id}</c>) and of the leader key.
/// </summary>
public sealed record MemberDocument(string Id, string Host, int ProcessId, long Since);
