using System.ComponentModel.DataAnnotations;

namespace QueueLab.Ordering.Options;

/// <summary>A sequencer's settings (configuration section <c>Ordering:Sequencer</c>).</summary>
public sealed class SequencerOptions
{
    public const string Section = "Ordering:Sequencer";

    [Required]
    public string KeyPrefix { get; set; } = OrderingKeys.DefaultPrefix;

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

    /// <summary>How often a standby asks for the lock (it also wakes when a leader announces its release).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan AcquireInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Stream entries read per script call (bounds how long one call runs).</summary>
    [Range(1, 10_000)]
    public int ReadBatchSize { get; set; } = 500;

    /// <summary>Seqs passed (emitted or skipped) per script call at most.</summary>
    [Range(1, 10_000)]
    public int MaxPassPerCall { get; set; } = 1000;

    /// <summary>Wait before calling again after a call that found nothing to do.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the next seq may be missing, while later ones wait, before a warning.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan GapWarningAfter { get; set; } = TimeSpan.FromSeconds(5);
}
