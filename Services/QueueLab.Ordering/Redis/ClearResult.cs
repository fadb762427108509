namespace QueueLab.Ordering.Redis;

/// <summary>What <see cref="OrderingAdmin.ClearAsync"/> did: cleared (and how many keys it deleted), or refused
/// because messages were still on their way.</summary>
public sealed record ClearResult(bool Cleared, long Deleted, long Input, long InFlight, long Buffered, long Quarantined, long UnreadResults)
{
    public string Describe() => Cleared
        ? $"pipeline B cleared: {Deleted} keys deleted (input, output, dead letters, results, claims, records, skips, the sequencer's position); the next message is seq 1"
        : $"Refused: pipeline B is not idle ({Input} in the input, {InFlight} in flight, {Buffered} in the reorder buffer, "
          + $"{Quarantined} quarantined, {UnreadResults} results unread); clear it once the current messages are through.";
}
