namespace QueueLab.Ordering.Redis;

/// <summary>How much of pipeline B's growing state the sequencer keeps (see <see cref="Options.SequencerOptions"/>).</summary>
public sealed record Retention(long KeepPassedSeqs, long OutputMaxLength, long DeadLetterMaxLength)
{
    public static Retention Default { get; } = new(100_000, 1_000_000, 100_000);
}
