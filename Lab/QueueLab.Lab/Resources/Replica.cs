using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Lab.Resources;

/// <summary>One running (or stopped) instance of a resource, from its latest Aspire snapshot.</summary>
/// <param name="ProcessId">The process in the snapshot (for a project: its <c>dotnet run</c> launcher; the service is its child).</param>
public sealed record Replica(string InstanceId, string ResourceName, string? State, HealthStatus? Health, int? ProcessId, DateTime? StartedAt)
{
    /// <summary>When the oldest of its health reports ran (null when none says): a report from before a restart says
    /// nothing of the new process, though the snapshot keeps it until the checks run again.</summary>
    public DateTime? HealthCheckedAt { get; init; }

    public bool IsRunning => State == KnownResourceStates.Running;

    public bool IsHealthy => IsRunning && Health is null or HealthStatus.Healthy;

    public override string ToString() => $"{InstanceId} {State ?? "unknown"}";
}
