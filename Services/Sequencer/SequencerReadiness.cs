using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QueueLab.Sequencer;

/// <summary>
/// Healthy once the sequencer can take over at once: subscribed to the release announcements and warmed up (the
/// sequence script cached in Redis, its call path compiled). Until then a fresh replica would make a failover wait for
/// its start-up, so "running and healthy" on the dashboard (and a restart in the chaos suites) means a standby that is
/// ready, not a process that is still starting.
/// </summary>
public sealed class SequencerReadiness : IHealthCheck
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy("Ready to lead: subscribed and warmed up.")
            : HealthCheckResult.Unhealthy("Starting: not yet subscribed to release announcements and warmed up."));
}
