using System.ComponentModel.DataAnnotations;

namespace QueueLab.Coordinator;

/// <summary>Coordinator settings, section <c>QueueLab:Coordinator</c>.</summary>
public sealed class CoordinatorOptions
{
    public const string Section = "QueueLab:Coordinator";

    /// <summary>This replica's name in the election and in the assignments it writes.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "QueueLab:Coordinator:InstanceId is empty; leave it unset for coordinator-machine-pid or give a name.")]
    public string InstanceId { get; set; } = $"coordinator-{Environment.MachineName}-{Environment.ProcessId}";
}
