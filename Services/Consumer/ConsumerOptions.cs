using System.ComponentModel.DataAnnotations;

namespace QueueLab.Consumer;

/// <summary>Consumer settings, section <c>QueueLab:Consumer</c>; the phase comes from <c>QueueLab:Phase</c>.</summary>
public sealed class ConsumerOptions
{
    public const string Section = "QueueLab:Consumer";
    public const string PhaseKey = "QueueLab:Phase";

    /// <summary>1: no dedup, every delivery is processed and stored. 2: Redis processing key + PostgreSQL final state. 3: phase 2, queues assigned through etcd.</summary>
    [Range(1, 3, ErrorMessage = "QueueLab:Phase must be 1 (no dedup), 2 (Redis + PostgreSQL dedup) or 3 (phase 2 + etcd allocation).")]
    public int Phase { get; set; } = 2;

    /// <summary>This consumer's name in the processing log and in the value of the processing keys it takes.</summary>
    public string ConsumerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// Unacked deliveries per queue (the channel's QoS). With <see cref="Concurrency"/> it sets how large the consumer's
    /// batches get (processing keys, existence checks, stores, multiple acks): measured on 2 cores, Release, a 10,000-message
    /// burst in phase 2 went through at 5,816-5,907 msg/s with 64 / 16, 7,354 with 256 / 64, 7,472-9,284 with 512 / 128
    /// (every part's CPU per message lower), and no faster with 1,024 / 256 or 2,048 / 512 (docs/benchmarks.md).
    /// </summary>
    [Range(1, 65_535)]
    public int Prefetch { get; set; } = 512;

    /// <summary>Deliveries handled at once per queue (the channel's dispatch concurrency); see <see cref="Prefetch"/>.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 128;

    public QueueType QueueType { get; set; } = QueueType.Quorum;

    /// <summary>
    /// Quorum queues dead-letter a message redelivered more than this many times: a last guard against a consumer that
    /// crashes on a message. The consumer's own handling never relies on it (classic queues have none).
    /// </summary>
    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>
    /// Time-to-live of a processing key: a crashed holder's key frees itself after this, so its messages wait at most
    /// this long for another consumer. A live holder extends its keys every third of it, however long the work takes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00")]
    public TimeSpan ProcessingKeyTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a consumer extends a processing key it holds: a handler stuck for longer loses its key, and another
    /// consumer may process the message (the final state's primary key still stores it once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "1.00:00:00")]
    public TimeSpan ProcessingKeyMaxHold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a delivery whose key is held waits (in the held queue) before it comes back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HeldRequeueDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a copy sent to a retry, held or dead-letter queue waits for the broker's confirm before the
    /// handling counts it as a transient failure and tries again (the original is acked only after a confirm).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a processing failure before the message goes to the dead-letter queue.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// First wait before a delivery whose handling met a transient failure (a lost connection, a server restarting) is
    /// tried again in place; doubled per try up to <see cref="TransientRetryMaxDelay"/>. Such tries are not counted.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan TransientRetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan TransientRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the consumer reads the ready count of each queue it consumes (queuelab.consumer.queue.depth).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(16, 128 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Simulated work per message.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ProcessingTime { get; set; } = TimeSpan.Zero;

    /// <summary>How long stopping a queue waits for in-flight deliveries before it closes the channel anyway.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Recent completions remembered locally to skip Redis and PostgreSQL for repeats.</summary>
    [Range(0, 10_000_000)]
    public int CompletionCacheSize { get; set; } = 10_000;
}
