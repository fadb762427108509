using System.ComponentModel.DataAnnotations;

namespace QueueLab.Ordering.Options;

/// <summary>A processor's settings (configuration section <c>Ordering:Processor</c>).</summary>
public sealed class ProcessorOptions
{
    public const string Section = "Ordering:Processor";

    [Required]
    public string KeyPrefix { get; set; } = OrderingKeys.DefaultPrefix;

    /// <summary>Pipeline B's partitions (the same number for every processor and sequencer: the AppHost gives both
    /// <c>QueueLab:Ordering:Partitions</c>). 1 keeps today's keys; each processor serves every partition.</summary>
    [Range(1, OrderingKeys.MaxPartitions)]
    public int Partitions { get; set; } = 1;

    /// <summary>What order the pipeline keeps: <c>Global</c> (one order by seq) or <c>PerKey</c> (each message carries a
    /// <c>key</c> and its key's seq). The same for every processor and sequencer: the AppHost gives both
    /// <c>QueueLab:Ordering:Mode</c>.</summary>
    public OrderingMode Mode { get; set; }

    /// <summary>Messages processed concurrently by one processor (over all partitions).</summary>
    [Range(1, 1024)]
    public int MaxInFlight { get; set; } = 8;

    /// <summary>Simulated work per message; zero measures the pipeline's own overhead.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Probability (0..1) that one attempt of the simulated work fails (for tests).</summary>
    [Range(0.0, 1.0)]
    public double FailureRate { get; set; }

    /// <summary>Retries after a failed attempt before the message is dead-lettered and its seq skipped.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled on each further retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a heartbeat lives: a processor silent for this long is dead and its messages are reclaimed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often every processor looks for dead processors.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest an idle processor blocks waiting for input (<c>BLMOVE input input LEFT LEFT</c>, on a connection of
    /// its own) before it takes again: it wakes the moment a message arrives, and costs nothing meanwhile.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan IdleWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before asking again when the input was empty and the blocking wait failed (Redis unreachable).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The largest <c>payload</c> accepted, in UTF-8 bytes.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = Parsing.ParserLimits.DefaultMaxPayloadBytes;

    /// <summary>The largest raw message accepted, checked before any decoding (a larger one is dead-lettered undecoded).</summary>
    [Range(64, 64 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = Parsing.ParserLimits.DefaultMaxMessageBytes;

    /// <summary>Times a message may be reclaimed from dead processors before it is quarantined and dead-lettered.</summary>
    [Range(1, 1000)]
    public int MaxReclaims { get; set; } = 10;

    /// <summary>Unexpected exceptions while handling one message before it is dead-lettered (never an endless retry).</summary>
    [Range(1, 100)]
    public int MaxHandlerFailures { get; set; } = 3;

    /// <summary>The parser's limits from these settings.</summary>
    public Parsing.ParserLimits Limits => new(MaxMessageBytes, MaxPayloadBytes) { Mode = Mode };

    public SystemOfRecordKind SystemOfRecord { get; set; } = SystemOfRecordKind.Redis;
}
