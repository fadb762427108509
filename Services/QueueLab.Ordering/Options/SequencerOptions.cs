using System.ComponentModel.DataAnnotations;

namespace QueueLab.Ordering.Options;

/// <summary>A sequencer's settings (configuration section <c>Ordering:Sequencer</c>).</summary>
public sealed class SequencerOptions
{
    public const string Section = "Ordering:Sequencer";

    [Required]
    public string KeyPrefix { get; set; } = OrderingKeys.DefaultPrefix;

    /// <summary>Pipeline B's partitions (the same number for every processor and sequencer: the AppHost gives both
    /// <c>QueueLab:Ordering:Partitions</c>). Each partition has its own fenced lock; the sequencers share them evenly.</summary>
    [Range(1, OrderingKeys.MaxPartitions)]
    public int Partitions { get; set; } = 1;

    /// <summary>What order the pipeline keeps: <c>Global</c> (one order by seq) or <c>PerKey</c> (each message carries a
    /// <c>key</c> and its key's seq). The same for every processor and sequencer: the AppHost gives both
    /// <c>QueueLab:Ordering:Mode</c>.</summary>
    public OrderingMode Mode { get; set; }

    /// <summary>Expiry of the leader lock; a dead leader is replaced after at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the leader's watchdog extends the lock.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Safety margin: the leader stops emitting once <c>LockTtl - ClockMargin</c> has passed since it last sent a
    /// successful renewal, before the lock can expire in Redis.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ClockMargin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a standby waits between asks for the lock. It asks again exactly when the lock's remaining
    /// time runs out if that is sooner, and at once when a leader announces its release.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan AcquireInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Stream entries read per script call (bounds how long one call runs).</summary>
    [Range(1, 10_000)]
    public int ReadBatchSize { get; set; } = 500;

    /// <summary>Seqs passed (emitted or skipped) per script call at most.</summary>
    [Range(1, 10_000)]
    public int MaxPassPerCall { get; set; } = 1000;

    /// <summary>
    /// The longest an idle leader blocks on the results stream (<c>XREAD BLOCK</c> after its cursor, on a connection of
    /// its own) before it calls the sequence script again: it wakes the moment a result arrives.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan IdleWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before calling again after a call that found nothing to do when the blocking wait failed (and,
    /// ten times this, after a failed sequence call).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Retention: the claims, records and skips of this many passed seqs are kept (older ones are deleted as
    /// the sequencer passes new ones). A message with an older seq is a duplicate of a passed seq either way.</summary>
    [Range(1, 1_000_000_000)]
    public long KeepPassedSeqs { get; set; } = 100_000;

    /// <summary>Retention: the output list is cut to its newest this-many entries (0 keeps everything).</summary>
    [Range(0, 1_000_000_000)]
    public long OutputMaxLength { get; set; } = 1_000_000;

    /// <summary>Retention: the dead-letter list is cut to its newest this-many entries (0 keeps everything).</summary>
    [Range(0, 1_000_000_000)]
    public long DeadLetterMaxLength { get; set; } = 100_000;

    /// <summary>How long the next seq may be missing, while later ones wait, before a warning.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan GapWarningAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the leader reads the pipeline's backlog for its gauges (input depth, in flight, results,
    /// reorder buffer, output lag): one read-only script call each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The retention settings as one value for the sequence script.</summary>
    public Redis.Retention Retention => new(KeepPassedSeqs, OutputMaxLength, DeadLetterMaxLength);
}
