using System.ComponentModel.DataAnnotations;

namespace QueueLab.Publisher;

/// <summary>Publisher settings, section <c>QueueLab:Publisher</c>.</summary>
public sealed class PublisherOptions
{
    public const string Section = "QueueLab:Publisher";

    /// <summary>Publishes awaiting their confirm at once (the window); the client's own limiter is off, this caps it.</summary>
    [Range(1, 10_000)]
    public int ConfirmWindow { get; set; } = 256;

    /// <summary>How long a publish waits for its confirm before it counts as timed out and is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per message (first publish included) before it is reported as failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest batch the HTTP API accepts in one request.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 100_000;
}
