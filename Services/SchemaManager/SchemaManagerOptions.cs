using System.ComponentModel.DataAnnotations;

namespace QueueLab.SchemaManager;

/// <summary>The schema manager's settings (configuration section <c>QueueLab:SchemaManager</c>).</summary>
public sealed class SchemaManagerOptions
{
    public const string Section = "QueueLab:SchemaManager";

    /// <summary>Retention of the processing log: rows older than this are deleted (zero keeps every row).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan ProcessingLogRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the retention runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows deleted per statement (several statements run until nothing older is left).</summary>
    [Range(100, 1_000_000)]
    public int RetentionBatch { get; set; } = 10_000;
}
