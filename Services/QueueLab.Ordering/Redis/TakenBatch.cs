namespace QueueLab.Ordering.Redis;

/// <summary>What one take moved into the in-flight list: the raw messages, the first <see cref="Quarantined"/> of them
/// from the quarantine (to be dead-lettered without processing).</summary>
public sealed record TakenBatch(IReadOnlyList<byte[]> Messages, int Quarantined)
{
    public static TakenBatch Empty { get; } = new([], 0);
}
