using System.ComponentModel.DataAnnotations;

namespace QueueLab.Coordination;

/// <summary>etcd coordination settings, section <c>QueueLab:Coordination</c>, shared by consumers and coordinators.</summary>
public sealed class CoordinationOptions
{
    public const string Section = "QueueLab:Coordination";

    /// <summary>The etcd minimum lease TTL.</summary>
    public static readonly TimeSpan MinimumLeaseTtl = TimeSpan.FromSeconds(2);

    /// <summary>Root of every key (<c>/queuelab/</c>); tests give each run its own.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^/.*/$", ErrorMessage = "QueueLab:Coordination:KeyRoot must start and end with '/', for example /queuelab/.")]
    public string KeyRoot { get; set; } = CoordinationKeys.DefaultRoot;

    /// <summary>
    /// TTL of consumer registrations and of the leader key (whole seconds, at least 2): a dead consumer or leader
    /// is noticed this long after its last keep-alive.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00", ErrorMessage = "QueueLab:Coordination:LeaseTtl must be between 2 s (the etcd minimum) and 10 min.")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a lease is kept alive; a third of <see cref="LeaseTtl"/> when unset.</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>How often watchers re-read the full state anyway, so a missed watch event cannot stick.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of each etcd request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest pause between reconnection attempts when etcd is unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan EffectiveKeepAliveInterval => KeepAliveInterval ?? LeaseTtl / 3;
}
